import type { CardReaderConfig } from './config.js';
import { pollTiming } from '../../drivers/poll-timing.js';
import type { Observation, Readings } from '../../core/readings.js';
import type { DeviceEvent, Driver, DriverContext } from '../../drivers/contract.js';
import { LineNoise } from '../../drivers/transports/line-noise.js';
import { SerialTransport, SerialTransportError, type SerialBinding } from '../../drivers/transports/serial.js';
import { CardReaderState } from './card-reader-state.js';
import type { CardVerdict } from './card-verdict.js';
import type { CardVerdictSource } from './card-hint.js';
import { SwipeEvents, type SwipeSource } from './swipe-events.js';
import type { SwipeWindowOptions } from './swipe-window.js';
import { TrackFrameParser, type TrackFrame } from './track-frames.js';

export type SerialCardReaderConfig = Extract<CardReaderConfig, { transport: 'serial' }>;

export interface SerialCardReaderOptions {
  binding?: SerialBinding;
  backoff?: { minMs: number; maxMs: number };
  window?: SwipeWindowOptions;
}

const DEFAULT_TIMING = { interval: '10s', timeout: '5s' };

/**
 * A magstripe reader on a serial line. It only talks when a card is swiped, so presence is the port:
 * `connected` is true while the port is open (a USB-serial reader that is unplugged takes its port with
 * it). Serial readers do not identify themselves, so there is no enrolment check on this transport.
 * One codec (track-frames) joined to one transport (serial).
 *
 * Noise is not a swipe: bytes that do not have a swipe's shape are counted as `card_reader.line_errors`
 * (bytes per poll window, on the observations of an open port) and warned about once per episode.
 */
export class SerialCardReaderDriver implements Driver, SwipeSource, CardVerdictSource {
  readonly kind = 'cardReader' as const;
  readonly name = 'cardReader';
  readonly intervalMs: number;
  readonly timeoutMs: number;
  private readonly state: CardReaderState;
  private readonly events = new SwipeEvents();
  private readonly transport: SerialTransport<TrackFrame>;
  private readonly noise: LineNoise;

  constructor(
    config: SerialCardReaderConfig,
    stateDir: string,
    private readonly ctx: DriverContext,
    options: SerialCardReaderOptions = {},
  ) {
    ({ intervalMs: this.intervalMs, timeoutMs: this.timeoutMs } = pollTiming(config, DEFAULT_TIMING));
    this.state = new CardReaderState({ stateDir, log: ctx.log, ...(options.window ? { window: options.window } : {}) });
    this.noise = new LineNoise('card_reader.line_errors', 'track data', ctx.log);
    this.transport = new SerialTransport({
      path: config.path,
      baudRate: config.baudRate,
      clock: ctx.clock,
      log: ctx.log.child({ path: config.path }),
      parser: new TrackFrameParser(this.state.cards),
      ...(options.binding ? { binding: options.binding } : {}),
      ...(options.backoff ? { backoff: options.backoff } : {}),
    });
    this.transport.onFrame((frame) => this.onFrame(frame));
    this.transport.onStateChange((state) => {
      this.state.setConnected(state === 'open', ctx.clock.now());
      if (state === 'disconnected') this.events.changed(this.state.observation(ctx.clock.now()));
    });
  }

  async poll(signal: AbortSignal): Promise<Observation> {
    try {
      await this.transport.open();
    } catch (err) {
      if (!(err instanceof SerialTransportError)) throw err;
      // Backing off between reopen attempts is expected, not news.
      if (!err.backoff) this.state.problem({ reading: 'card_reader.connected', message: err.message });
    }
    signal.throwIfAborted();
    return this.withLine(this.state.observation(this.ctx.clock.now()), this.noise.closeWindow());
  }

  watch(emit: (observation: Observation) => void): void {
    this.events.watch(emit);
  }

  /** Card or reader, over the recent swipes (card-hint.ts). */
  cardVerdict(now: number): CardVerdict {
    return this.state.verdict(now);
  }

  onSwipe(listener: Parameters<SwipeSource['onSwipe']>[0]): () => void {
    return this.events.onSwipe(listener);
  }

  deviceEvents(emit: (event: DeviceEvent) => void): () => void {
    return this.events.deviceEvents(emit);
  }

  async close(): Promise<void> {
    this.events.close();
    await this.transport.close();
    this.state.close(this.ctx.clock.now());
  }

  private onFrame(frame: TrackFrame): void {
    const now = this.ctx.clock.now();
    if (frame.type === 'noise') return this.noise.count(frame.length);
    this.state.recordSwipe(frame.swipe, now, frame.card);
    this.events.swiped(frame.swipe, this.withLine(this.state.observation(now), this.noise.current()));
  }

  /** The line's error count rides on the observations of an open port (a closed one has no line). */
  private withLine(observation: Observation, line: Readings): Observation {
    if (observation.readings['card_reader.connected'] !== true) return observation;
    return { ...observation, readings: { ...observation.readings, ...line } };
  }
}
