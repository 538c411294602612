import { parseDuration, type PrinterConfig } from '../../config/schema.js';
import type { Observation } from '../../core/readings.js';
import type { Driver, DriverContext } from '../contract.js';
import { SerialTransport, SerialTransportError, type SerialBinding } from '../transports/serial.js';
import { ASB_ALL, enableAsb } from './escpos-asb.js';
import { EscPosFrameParser, type EscPosFrame } from './escpos-frames.js';
import { dleEot, STATUS_FIELD, STATUS_KINDS, type StatusBytes } from './escpos-status.js';
import { asbObservation, disconnectedObservation, statusObservation } from './printer-readings.js';

export type SerialPrinterConfig = Extract<PrinterConfig, { transport: 'serial' }>;

export interface SerialPrinterOptions {
  /** serialport binding to use instead of the system one (demo: the emulator's mock binding). */
  binding?: SerialBinding;
  /** Reopen backoff after a failed open; default 1 s doubling to 30 s. */
  backoff?: { minMs: number; maxMs: number };
}

const DEFAULT_INTERVAL_MS = 10_000;
const DEFAULT_TIMEOUT_MS = 5_000;

/**
 * An ESC/POS printer on a serial line: DLE EOT 1..4 on every poll, Automatic Status Back while watched.
 * One codec (escpos-*) joined to one transport (serial).
 *
 * Each reply may take a fifth of the poll timeout, so a poll that gives up on the first silent request
 * (a silent printer answers none) ends well inside the runtime's own timeout.
 */
export class SerialPrinterDriver implements Driver {
  readonly kind = 'printer' as const;
  readonly name = 'printer';
  readonly intervalMs: number;
  readonly timeoutMs: number;
  private readonly replyTimeoutMs: number;
  private readonly transport: SerialTransport<EscPosFrame>;
  private emit: ((observation: Observation) => void) | undefined;

  constructor(
    config: SerialPrinterConfig,
    private readonly ctx: DriverContext,
    options: SerialPrinterOptions = {},
  ) {
    this.intervalMs = config.interval ? parseDuration(config.interval) : DEFAULT_INTERVAL_MS;
    this.timeoutMs = config.timeout ? parseDuration(config.timeout) : DEFAULT_TIMEOUT_MS;
    this.replyTimeoutMs = Math.max(1, Math.floor(this.timeoutMs / 5));
    this.transport = new SerialTransport({
      path: config.path,
      baudRate: config.baudRate,
      clock: ctx.clock,
      log: ctx.log.child({ device: 'printer', path: config.path }),
      parser: new EscPosFrameParser(),
      ...(options.binding ? { binding: options.binding } : {}),
      ...(options.backoff ? { backoff: options.backoff } : {}),
    });
    this.transport.onFrame((frame) => this.onUnsolicited(frame));
    this.transport.onStateChange((state) => {
      if (!this.emit) return;
      // A printer forgets GS a across a reopen (it may have been power-cycled): re-arm it.
      if (state === 'open') this.armAsb();
      if (state === 'disconnected') this.emit(disconnectedObservation(`${config.path}: disconnected`));
    });
  }

  async poll(signal: AbortSignal): Promise<Observation> {
    const replies: StatusBytes = {};
    for (const n of STATUS_KINDS) {
      try {
        replies[STATUS_FIELD[n]] = await this.transport.request(
          dleEot(n),
          (frame) => (frame.type === 'status' ? frame.byte : undefined),
          this.replyTimeoutMs,
          signal,
        );
      } catch (err) {
        if (signal.aborted) throw signal.reason;
        if (!(err instanceof SerialTransportError)) throw err;
        // No answer to the first request: absent, off or silent. A later timeout leaves just that status
        // unknown (the printer did answer); a lost line makes the whole round worthless.
        if (n === 1 || err.disconnected) return disconnectedObservation(err.message);
        this.ctx.log.debug({ n, err: err.message }, 'printer status request failed');
      }
    }
    return statusObservation(replies);
  }

  /** Enables ASB (every category) now and after every reopen; each ASB packet becomes an Observation. */
  watch(emit: (observation: Observation) => void): void {
    this.emit = emit;
    if (this.transport.state === 'open') this.armAsb();
    else this.transport.open().catch((err: Error) => this.ctx.log.debug({ err: err.message }, 'printer not reachable for ASB yet'));
  }

  async close(): Promise<void> {
    this.emit = undefined;
    await this.transport.close();
  }

  private armAsb(): void {
    this.transport.write(enableAsb(ASB_ALL)).catch((err: Error) => this.ctx.log.debug({ err: err.message }, 'enabling ASB failed'));
  }

  private onUnsolicited(frame: EscPosFrame): void {
    if (frame.type === 'asb') this.emit?.(asbObservation(frame.packet));
    else if (frame.type === 'noise') this.ctx.log.debug({ hex: frame.bytes.toString('hex') }, 'printer line noise');
    // A stray status byte is a late reply to a request that already timed out: dropped.
  }
}
