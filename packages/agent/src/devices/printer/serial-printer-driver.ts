import type { PrinterConfig } from './config.js';
import { pollTiming } from '../../drivers/poll-timing.js';
import type { DeviceIdentity, Observation, Readings } from '../../core/readings.js';
import type { DeviceEvent, Driver, DriverContext } from '../../drivers/contract.js';
import { DeviceEventOutlet } from '../../drivers/device-event-outlet.js';
import { LineNoise } from '../../drivers/transports/line-noise.js';
import { SerialTransport, type SerialBinding } from '../../drivers/transports/serial.js';
import { StatusConfirmer } from './confirmed-status.js';
import { ASB_ALL, enableAsb } from './escpos-asb.js';
import { EscPosFrameParser, type EscPosFrame } from './escpos-frames.js';
import type { EscPosLink } from './escpos-link.js';
import { attemptRecovery, readIdentity, readStatus } from './escpos-session.js';
import { ActionLog } from './printer-actions.js';
import { receiptResult, type ReceiptResult } from './printer-receipt-result.js';
import { asbObservation, disconnectedObservation } from './printer-readings.js';
import { encodeReceipt } from './receipt.js';
import { RecoveryPolicy } from './self-recovery.js';
import { receiptCut } from './wear.js';

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
 *
 * Noise is data, never a fault: bytes that are no reply (noise, stray status bytes, broken ASB packets)
 * are counted as `printer.line_errors` (bytes per poll window, on every observation of a printer that
 * answers); every status is confirmed before it counts (StatusConfirmer), and an ASB packet that would
 * change a reading counts only once a fresh DLE EOT round confirms the change.
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
  /** The GS I query under way, which a poll and an ASB change arriving together both wait for. */
  private identityQuery: Promise<void> | undefined;
  private recovering: Promise<void> | undefined;
  private readonly noise: LineNoise;
  private readonly status: StatusConfirmer;
  /** The DLE EOT round confirming an ASB packet, and the packet that came while it ran, if any. */
  private confirmingAsb: Promise<void> | undefined;
  private asbAgain: Observation | undefined;
  private emit: ((observation: Observation) => void) | undefined;
  private readonly outlet = new DeviceEventOutlet();

  constructor(
    private readonly config: SerialPrinterConfig,
    private readonly ctx: DriverContext,
    options: SerialPrinterOptions = {},
  ) {
    ({ intervalMs: this.intervalMs, timeoutMs: this.timeoutMs } = pollTiming(config, DEFAULT_TIMING));
    this.replyTimeoutMs = Math.max(1, Math.floor(this.timeoutMs / 5));
    this.actions = new ActionLog(ctx.clock);
    this.noise = new LineNoise('printer.line_errors', 'ESC/POS replies', ctx.log);
    this.status = new StatusConfirmer((signal, order) => readStatus(this.link, this.replyTimeoutMs, signal, ctx.log, order), this.noise);
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
      // A reopened line may lead to another printer (or the same one, power-cycled): ask again who it
      // is, and believe nothing read before.
      this.status.forget();
      if (state === 'open') this.identityStale = true;
      if (!this.emit) return;
      // A printer forgets GS a across a reopen (it may have been power-cycled): re-arm it.
      if (state === 'open') this.armAsb();
      if (state === 'disconnected') this.emit(this.actions.attach(disconnectedObservation(`${config.path}: disconnected`)));
    });
  }

  async poll(signal: AbortSignal): Promise<Observation> {
    await this.recovering;
    const read = await this.status.read(signal);
    let observation = read.observation;
    if (read.confirmed && this.recovery.shouldRecover(observation.readings)) observation = await this.recover(signal);
    if (read.confirmed) observation = await this.withIdentity(observation, signal);
    return this.actions.attach(this.withLine(observation, this.noise.closeWindow()));
  }

  /** Enables ASB (every category) now and after every reopen; each ASB packet becomes an Observation. */
  watch(emit: (observation: Observation) => void): void {
    this.emit = emit;
    if (this.transport.state === 'open') this.armAsb();
    else this.transport.open().catch((err: Error) => this.ctx.log.debug({ err: err.message }, 'printer not reachable for ASB yet'));
  }

  /** Prints a receipt (ESC @, the lines, feed, cut), then reads the status to see whether it could. */
  deviceEvents(emit: (event: DeviceEvent) => void): () => void {
    return this.outlet.subscribe(emit);
  }

  /** Prints and cuts; a receipt the printer took (it reports itself fine after) is a `receiptCut` wear event. */
  async printReceipt(lines: readonly string[], signal: AbortSignal): Promise<ReceiptResult> {
    const result = await this.print(lines, signal);
    if (result.ok) this.outlet.send(receiptCut(lines));
    return result;
  }

  private async print(lines: readonly string[], signal: AbortSignal): Promise<ReceiptResult> {
    try {
      await this.transport.write(encodeReceipt(lines), signal);
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      return receiptResult(this.actions.attach(disconnectedObservation((err as Error).message)));
    }
    return receiptResult(this.actions.attach((await this.status.read(signal)).observation));
  }

  async close(): Promise<void> {
    this.emit = undefined;
    await this.transport.close();
  }

  private recover(signal: AbortSignal): Promise<Observation> {
    return attemptRecovery(this.link, this.actions, async (after) => (await this.status.read(after)).observation, signal);
  }

  /**
   * Identity is asked once per open, of a printer whose status was confirmed; answers that came with
   * noise are not believed (noise may have answered for the printer), and it is asked again next poll.
   */
  private async withIdentity(observation: Observation, signal: AbortSignal): Promise<Observation> {
    if (observation.readings['printer.connected'] !== true) return observation;
    if (this.identityStale) {
      this.identityStale = false;
      const query = this.queryIdentity(signal);
      this.identityQuery = query;
      try {
        await query;
      } finally {
        if (this.identityQuery === query) this.identityQuery = undefined;
      }
    } else if (this.identityQuery) {
      // Asked for the other caller; a query that failed there leaves this observation without an identity.
      await this.identityQuery.catch(() => undefined);
    }
    return this.identity ? { ...observation, identity: this.identity } : observation;
  }

  private async queryIdentity(signal: AbortSignal): Promise<void> {
    const mark = this.noise.mark();
    const identity = await readIdentity(this.link, this.config.path, this.replyTimeoutMs, signal);
    if (this.noise.since(mark) > 0) this.identityStale = true;
    else this.identity = identity;
    if (!identity) this.ctx.log.debug({ path: this.config.path }, 'printer does not answer GS I');
  }

  /** The line's error count rides on every observation of a printer that answers (a silent line has none). */
  private withLine(observation: Observation, line: Readings): Observation {
    if (observation.readings['printer.connected'] === false) return observation;
    return { ...observation, readings: { ...observation.readings, ...line } };
  }

  private armAsb(): void {
    this.transport.write(enableAsb(ASB_ALL)).catch((err: Error) => this.ctx.log.debug({ err: err.message }, 'enabling ASB failed'));
  }

  /** Whatever no request claimed. Only an ASB packet is news; the rest was discarded, so it is counted. */
  private onUnsolicited(frame: EscPosFrame): void {
    if (frame.type === 'asb') return this.onAsb(frame.packet);
    // A status byte nobody asked for (a late reply, or noise that looks like one), a block outside an
    // identity query, or bytes that are no reply at all.
    this.noise.count(frame.type === 'noise' ? frame.bytes.length : frame.type === 'block' ? frame.text.length + 2 : 1);
  }

  /**
   * An ASB packet that would change a reading is a claim until a fresh DLE EOT round confirms it (random
   * bytes pass ASB's fixed bits about once per kilobyte). One confirmation runs at a time; a packet
   * arriving meanwhile gets one more. A line too noisy to confirm anything is left to the next poll.
   */
  private onAsb(packet: Buffer): void {
    const claim = asbObservation(packet);
    if (!this.emit || this.status.agrees(claim.readings)) return;
    if (this.confirmingAsb) {
      this.asbAgain = claim;
      return;
    }
    this.confirmingAsb = this.confirmAsb(claim)
      .catch((err: Error) => this.ctx.log.debug({ err: err.message }, 'confirming an ASB packet failed'))
      .finally(() => {
        this.confirmingAsb = undefined;
      });
  }

  private async confirmAsb(first: Observation): Promise<void> {
    for (let claim: Observation | undefined = first; claim && this.emit; claim = this.asbAgain) {
      this.asbAgain = undefined;
      const read = await this.status.read(AbortSignal.timeout(this.timeoutMs));
      if (!read.confirmed) return;
      if (!read.changed) continue;
      const observation = { ...read.observation, evidence: { ...read.observation.evidence, ...claim.evidence } };
      // A change may come before the first poll has asked who the printer is: a fault it raises names the part.
      this.emitChange(this.withLine(await this.withIdentity(observation, AbortSignal.timeout(this.timeoutMs)), this.noise.current()));
    }
  }

  /** A confirmed change goes to the rules at once; an error whose cause is gone is recovered without waiting for a poll. */
  private emitChange(observation: Observation): void {
    this.emit?.(this.actions.attach(observation));
    if (!this.recovery.shouldRecover(observation.readings) || this.recovering) return;
    const signal = AbortSignal.timeout(this.timeoutMs);
    this.recovering = this.recover(signal)
      .then((after) => this.emit?.(this.actions.attach(this.withLine(after, this.noise.current()))))
      .catch((err: Error) => this.ctx.log.debug({ err: err.message }, 'printer self-recovery failed'))
      .finally(() => {
        this.recovering = undefined;
      });
  }
}
