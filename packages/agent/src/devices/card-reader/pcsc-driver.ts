import type { CardReaderConfig } from './config.js';
import { pollTiming } from '../../drivers/poll-timing.js';
import type { Clock } from 'posdiag-protocol';
import { SerialQueue } from '../../core/serial-queue.js';
import type { Observation } from '../../core/readings.js';
import type { Logger } from '../../log/logger.js';
import type { Driver, DriverContext } from '../../drivers/contract.js';
import { SmartcardPcscStack, type PcscStack } from '../../drivers/transports/pcsc.js';
import { findReader, pcscObservation, pcscReaderIdentity, readerMatcher } from './pcsc-readings.js';
import { ReaderEnrolment } from './reader-enrolment.js';

export type PcscReaderConfig = Extract<CardReaderConfig, { transport: 'pcsc' }>;

/** Listing readers is one local IPC round trip to pcscd; card insertion is seen within one interval. */
export const PCSC_DEFAULT_TIMING = { interval: '5s', timeout: '3s' };

/**
 * A chip / contactless reader behind PC/SC: is the configured reader there, is a card in it, and what
 * its ATR says (length, protocols), and is it the reader that was enrolled. Never connects to the card,
 * never sends an APDU (see transports/pcsc). When watched, a reader or card coming or going is reported
 * at once (pcscd's status change notification); polling stays as the heartbeat, and takes over while
 * pcscd cannot be watched (it is watched again from the next poll that reaches it).
 *
 * The binding's calls are synchronous and short; `signal` is honoured before the call, which cannot be
 * interrupted once started.
 */
export class PcscCardReaderDriver implements Driver {
  readonly kind = 'cardReader' as const;
  readonly name = 'cardReader';
  readonly intervalMs: number;
  readonly timeoutMs: number;
  private readonly matches: (name: string) => boolean;
  private readonly stack: PcscStack;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly enrolment: ReaderEnrolment;
  private emit: ((observation: Observation) => void) | undefined;
  private stopWatching: (() => void) | null = null;
  private watchStarting = false;
  private watchUnavailableLogged = false;
  /** Change-driven snapshots, one at a time and in order. */
  private readonly changes = new SerialQueue();
  private closed = false;

  constructor(config: PcscReaderConfig, stateDir: string, ctx: DriverContext, options: { stack?: PcscStack } = {}) {
    this.matches = readerMatcher(config.reader);
    this.stack = options.stack ?? new SmartcardPcscStack();
    this.clock = ctx.clock;
    this.log = ctx.log;
    this.enrolment = new ReaderEnrolment(stateDir, ctx.log);
    ({ intervalMs: this.intervalMs, timeoutMs: this.timeoutMs } = pollTiming(config, PCSC_DEFAULT_TIMING));
  }

  async poll(signal: AbortSignal): Promise<Observation> {
    signal.throwIfAborted();
    const observation = await this.observe();
    if (this.emit && !this.stopWatching) void this.startWatching();
    return observation;
  }

  watch(emit: (observation: Observation) => void): void {
    this.emit = emit;
    void this.startWatching();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.stopWatching?.();
    this.stopWatching = null;
    await this.changes.idle();
  }

  private async observe(): Promise<Observation> {
    const snapshot = await this.stack.snapshot();
    const reader = findReader(snapshot, this.matches);
    const observation = pcscObservation(snapshot, reader);
    const problem = reader ? this.enrolment.see(pcscReaderIdentity(reader.name), this.clock.now()) : undefined;
    const readings = { ...observation.readings };
    const evidence = { ...observation.evidence };
    this.enrolment.contribute(readings, evidence);
    const problems = [...(observation.problems ?? []), ...(problem ? [problem] : [])];
    return {
      ...observation,
      readings,
      ...(Object.keys(evidence).length ? { evidence } : {}),
      ...(problems.length ? { problems } : {}),
    };
  }

  private async startWatching(): Promise<void> {
    if (!this.stack.watch || this.stopWatching || this.watchStarting || this.closed) return;
    this.watchStarting = true;
    try {
      const stop = await this.stack.watch(
        () => this.onChange(),
        (message) => {
          this.stopWatching = null;
          this.log.info({ message }, 'PC/SC changes not watched until pcscd answers a poll again');
        },
      );
      if (!stop) {
        if (!this.watchUnavailableLogged) this.log.info({}, 'PC/SC changes cannot be watched now: polling only');
        this.watchUnavailableLogged = true;
      } else if (this.closed) stop();
      else {
        this.stopWatching = stop;
        this.watchUnavailableLogged = false;
      }
    } finally {
      this.watchStarting = false;
    }
  }

  private onChange(): void {
    this.changes
      .run(async () => {
        if (this.closed) return;
        const observation = await this.observe();
        if (!this.closed) this.emit?.(observation);
      })
      .catch((err: Error) => this.log.warn({ err: err.message }, 'PC/SC change not read'));
  }
}
