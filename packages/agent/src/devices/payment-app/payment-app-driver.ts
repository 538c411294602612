import type { Observation } from '../../core/readings.js';
import type { Driver, DriverContext } from '../../drivers/contract.js';
import { pollTiming } from '../../drivers/poll-timing.js';
import { AppHealthHistory, type AppHealthParams } from './app-health.js';
import type { PaymentAppConfig } from './config.js';

/**
 * The payment app as a device: it reports (`app_health`), the driver keeps the reports and turns them
 * into readings at each report (watch) and each poll (ages move on between reports; a poll is also
 * how silence shows). Nothing is read from the app but what it sends; nothing is kept on disk.
 */
export class PaymentAppDriver implements Driver {
  readonly kind = 'paymentApp' as const;
  readonly name = 'payment-app';
  readonly intervalMs: number;
  readonly timeoutMs: number;
  private readonly history = new AppHealthHistory();
  private readonly startedAt: number;
  private emit: ((observation: Observation) => void) | undefined;

  constructor(
    config: PaymentAppConfig,
    private readonly ctx: DriverContext,
  ) {
    ({ intervalMs: this.intervalMs, timeoutMs: this.timeoutMs } = pollTiming(config, { interval: '10s', timeout: '1s' }));
    this.startedAt = ctx.clock.now();
  }

  async poll(): Promise<Observation> {
    return this.observation();
  }

  watch(emit: (observation: Observation) => void): void {
    this.emit = emit;
  }

  /** One `app_health` report, judged at once. */
  report(params: AppHealthParams): void {
    const now = this.ctx.clock.now();
    this.history.record(params, now);
    this.ctx.log.debug({ safBacklog: params.safBacklog, crashes: params.crashes, version: params.version }, 'payment app health');
    this.emit?.(this.observation());
  }

  async close(): Promise<void> {
    this.emit = undefined;
  }

  private observation(): Observation {
    return { readings: this.history.readings(this.ctx.clock.now(), this.startedAt) };
  }
}
