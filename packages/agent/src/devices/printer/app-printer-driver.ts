import { parseDuration, type TimerHandle } from 'posdiag-protocol';
import type { Observation } from '../../core/readings.js';
import type { Driver, DriverContext } from '../../drivers/contract.js';
import { pollTiming } from '../../drivers/poll-timing.js';
import type { Prompter } from '../../self-test/self-test-prompts.js';
import { quietObservation, relayedObservation, type PrinterStatusParams } from './app-printer-status.js';
import type { PrinterConfig } from './config.js';
import { receiptResult, type ReceiptResult } from './printer-receipt-result.js';
import type { RelayedPrinter } from './app-relay.js';
import type { ReceiptPrinter } from './receipt-printer.js';

export type AppPrinterConfig = Extract<PrinterConfig, { transport: 'app' }>;

/** Printing goes through the app, which may take its time to reach the vendor's service and print. */
const DEFAULT_TIMING = { interval: '10s', timeout: '30s' };

/**
 * A printer behind the vendor's system service (Sunmi, PAX and most Android POS terminals), known only
 * through the payment app, which relays its status over the control socket (`printer_status`). Each
 * relay is a complete observation, sent on at once (watch); a relay older than `staleAfter` (or none
 * yet) is unknown, never OK (`quietObservation`), and the moment it goes stale is sent on too.
 *
 * Printing (the self-test's receipts, the verdict) is asked of the app on the connection of its latest
 * relay: a `print` prompt, answered by the app's `answer` (true: printed); the receipt is then judged
 * by the latest relayed status, as the ESC/POS drivers judge theirs by the status read after it.
 */
export class AppPrinterDriver implements Driver, ReceiptPrinter, RelayedPrinter {
  readonly kind = 'printer' as const;
  readonly name = 'printer';
  readonly intervalMs: number;
  readonly timeoutMs: number;
  private readonly staleAfterMs: number;
  private latest: { observation: Observation; at: number; relay: Prompter } | undefined;
  private emit: ((observation: Observation) => void) | undefined;
  private staleTimer: TimerHandle | undefined;
  private prints = 0;
  private closed = false;

  constructor(
    config: AppPrinterConfig,
    private readonly ctx: DriverContext,
  ) {
    ({ intervalMs: this.intervalMs, timeoutMs: this.timeoutMs } = pollTiming(config, DEFAULT_TIMING));
    this.staleAfterMs = parseDuration(config.staleAfter);
  }

  /** One status from the app; `relay` asks the app on the same connection. Returns what it was read as. */
  relay(params: PrinterStatusParams, relay: Prompter): Observation {
    const observation = relayedObservation(params);
    if (this.closed) return observation;
    this.latest = { observation, at: this.ctx.clock.now(), relay };
    if (this.staleTimer !== undefined) this.ctx.clock.clearTimeout(this.staleTimer);
    this.staleTimer = this.ctx.clock.setTimeout(() => {
      this.staleTimer = undefined;
      this.ctx.log.warn({ staleAfterMs: this.staleAfterMs }, 'the payment app stopped relaying the printer status');
      this.emit?.(this.current());
    }, this.staleAfterMs);
    this.emit?.(observation);
    return observation;
  }

  async poll(): Promise<Observation> {
    return this.current();
  }

  watch(emit: (observation: Observation) => void): void {
    this.emit = emit;
  }

  async printReceipt(lines: readonly string[], signal: AbortSignal): Promise<ReceiptResult> {
    const relay = this.fresh()?.relay;
    if (!relay) return notPrinted(this.current(), 'no payment app relays this printer');
    const promptId = `print-${this.ctx.clock.now()}-${++this.prints}`;
    const printed = await relay.ask({ promptId, text: lines.join('\n'), kind: 'print' }, signal);
    if (printed === undefined) return notPrinted(this.current(), 'the payment app did not answer the print request');
    if (!printed) return notPrinted(this.current(), 'the payment app could not print');
    return receiptResult(this.current());
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.staleTimer !== undefined) this.ctx.clock.clearTimeout(this.staleTimer);
    this.staleTimer = undefined;
    this.emit = undefined;
  }

  private fresh() {
    return this.latest && this.ctx.clock.now() - this.latest.at < this.staleAfterMs ? this.latest : undefined;
  }

  private current(): Observation {
    const fresh = this.fresh();
    if (fresh) return fresh.observation;
    return quietObservation(
      this.latest ? `no printer status from the payment app for ${Math.round(this.staleAfterMs / 1000)} s` : 'the payment app has not relayed the printer status yet',
    );
  }
}

function notPrinted(observation: Observation, why: string): ReceiptResult {
  return { ok: false, observation: { ...observation, evidence: { ...observation.evidence, 'printer.receipt_error': why } } };
}
