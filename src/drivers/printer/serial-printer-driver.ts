import type { PrinterConfig } from '../../config/schema.js';
import { pollTiming } from '../poll-timing.js';
import type { DeviceIdentity, Observation } from '../../core/readings.js';
import type { Driver, DriverContext } from '../contract.js';
import { SerialTransport, type SerialBinding } from '../transports/serial.js';
import { ASB_ALL, enableAsb } from './escpos-asb.js';
import { EscPosFrameParser, type EscPosFrame } from './escpos-frames.js';
import type { EscPosLink } from './escpos-link.js';
import { attemptRecovery, readIdentity, readStatus } from './escpos-session.js';
import { ActionLog } from './printer-actions.js';
import { receiptResult, type ReceiptResult } from './printer-receipt-result.js';
import { asbObservation, disconnectedObservation } from './printer-readings.js';
import { encodeReceipt } from './receipt.js';
import { RecoveryPolicy } from './self-recovery.js';

export type SerialPrinterConfig = Extract<PrinterConfig, { transport: 'serial' }>;

export interface SerialPrinterOptions {
  /** serialport binding to use instead of the system one (demo: the emulator's mock binding). */
  binding?: SerialBinding;
  /** Reopen backoff after a failed open; default 1 s doubling to 30 s. */
  backoff?: { minMs: number; maxMs: number };
}

const DEFAULT_TIMING = { interval: '10s', timeout: '5s' };

/**
 * An ESC/POS printer on a serial line: DLE EOT 1..4 on every poll, Automatic Status Back while watched,
 * GS I identity once after every (re)open, DLE ENQ self-recovery from cutter errors, receipts.
 * One codec (escpos-*) joined to one transport (serial).
 *
 * Each reply may take a fifth of the poll timeout, so a poll that gives up on the first silent request
 * (a silent printer answers none) ends well inside the runtime's own timeout; the identity query costs
 * at most two more reply timeouts, once per open.
 *
 * Self-recovery steps (each reopen attempt after a loss, each DLE ENQ) travel on the next observation
 * as `actions`.
 */
export class SerialPrinterDriver implements Driver {
  readonly kind = 'printer' as const;
  readonly name = 'printer';
  readonly intervalMs: number;
  readonly timeoutMs: number;
  private readonly replyTimeoutMs: number;
  private readonly parser = new EscPosFrameParser();
  private readonly transport: SerialTransport<EscPosFrame>;
  private readonly link: EscPosLink;
  private readonly actions: ActionLog;
  private readonly recovery = new RecoveryPolicy();
  private identity: DeviceIdentity | undefined;
  private identityStale = true;
  private recovering: Promise<void> | undefined;
  private emit: ((observation: Observation) => void) | undefined;

  constructor(
    private readonly config: SerialPrinterConfig,
    private readonly ctx: DriverContext,
    options: SerialPrinterOptions = {},
  ) {
    ({ intervalMs: this.intervalMs, timeoutMs: this.timeoutMs } = pollTiming(config, DEFAULT_TIMING));
    this.replyTimeoutMs = Math.max(1, Math.floor(this.timeoutMs / 5));
    this.actions = new ActionLog(ctx.clock);
    this.transport = new SerialTransport({
      path: config.path,
      baudRate: config.baudRate,
      clock: ctx.clock,
      log: ctx.log.child({ device: 'printer', path: config.path }),
      parser: this.parser,
      ...(options.binding ? { binding: options.binding } : {}),
      ...(options.backoff ? { backoff: options.backoff } : {}),
    });
    const transport = this.transport;
    this.link = {
      request: (bytes, expect, timeoutMs, signal) => transport.request(bytes, expect, timeoutMs, signal),
      write: (bytes, signal) => transport.write(bytes, signal),
      expectBlocks: (on) => this.parser.expectBlocks(on),
    };
    transport.onFrame((frame) => this.onUnsolicited(frame));
    transport.onReopenAttempt(({ ok, error }) => this.actions.record('printer.reopen', ok, ['printer.connected'], error?.message ?? `${config.path} reopened`));
    transport.onStateChange((state) => {
      // A reopened line may lead to another printer (or the same one, power-cycled): ask again who it is.
      if (state === 'open') this.identityStale = true;
      if (!this.emit) return;
      // A printer forgets GS a across a reopen (it may have been power-cycled): re-arm it.
      if (state === 'open') this.armAsb();
      if (state === 'disconnected') this.emit(this.actions.attach(disconnectedObservation(`${config.path}: disconnected`)));
    });
  }

  async poll(signal: AbortSignal): Promise<Observation> {
    await this.recovering;
    let observation = await readStatus(this.link, this.replyTimeoutMs, signal, this.ctx.log);
    if (this.recovery.shouldRecover(observation.readings)) observation = await this.recover(signal);
    return this.actions.attach(await this.withIdentity(observation, signal));
  }

  /** Enables ASB (every category) now and after every reopen; each ASB packet becomes an Observation. */
  watch(emit: (observation: Observation) => void): void {
    this.emit = emit;
    if (this.transport.state === 'open') this.armAsb();
    else this.transport.open().catch((err: Error) => this.ctx.log.debug({ err: err.message }, 'printer not reachable for ASB yet'));
  }

  /** Prints a receipt (ESC @, the lines, feed, cut), then reads the status to see whether it could. */
  async printReceipt(lines: readonly string[], signal: AbortSignal): Promise<ReceiptResult> {
    try {
      await this.transport.write(encodeReceipt(lines), signal);
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      return receiptResult(this.actions.attach(disconnectedObservation((err as Error).message)));
    }
    return receiptResult(this.actions.attach(await readStatus(this.link, this.replyTimeoutMs, signal, this.ctx.log)));
  }

  async close(): Promise<void> {
    this.emit = undefined;
    await this.transport.close();
  }

  private recover(signal: AbortSignal): Promise<Observation> {
    return attemptRecovery(this.link, this.actions, this.replyTimeoutMs, signal, this.ctx.log);
  }

  /** Identity is asked once per open, of a printer that answered the status round. */
  private async withIdentity(observation: Observation, signal: AbortSignal): Promise<Observation> {
    if (observation.readings['printer.connected'] !== true) return observation;
    if (this.identityStale) {
      this.identityStale = false;
      this.identity = await readIdentity(this.link, this.config.path, this.replyTimeoutMs, signal);
      if (!this.identity) this.ctx.log.debug({ path: this.config.path }, 'printer does not answer GS I');
    }
    return this.identity ? { ...observation, identity: this.identity } : observation;
  }

  private armAsb(): void {
    this.transport.write(enableAsb(ASB_ALL)).catch((err: Error) => this.ctx.log.debug({ err: err.message }, 'enabling ASB failed'));
  }

  private onUnsolicited(frame: EscPosFrame): void {
    if (frame.type === 'asb') this.onAsb(asbObservation(frame.packet));
    else if (frame.type === 'noise') this.ctx.log.debug({ hex: frame.bytes.toString('hex') }, 'printer line noise');
    // A stray status byte or block is a late reply to a request that already timed out: dropped.
  }

  /** ASB is event-driven end to end: an error whose cause is gone is recovered without waiting for a poll. */
  private onAsb(observation: Observation): void {
    const emit = this.emit;
    if (!emit) return;
    const withId = this.identity ? { ...observation, identity: this.identity } : observation;
    emit(this.actions.attach(withId));
    if (!this.recovery.shouldRecover(observation.readings) || this.recovering) return;
    const signal = AbortSignal.timeout(this.timeoutMs);
    this.recovering = this.recover(signal)
      .then((after) => this.emit?.(this.actions.attach(after)))
      .catch((err: Error) => this.ctx.log.debug({ err: err.message }, 'printer self-recovery failed'))
      .finally(() => {
        this.recovering = undefined;
      });
  }
}
