import type { Observation } from '../../core/readings.js';
import type { Driver, DriverContext } from '../../drivers/contract.js';
import { pollTiming } from '../../drivers/poll-timing.js';
import type { AccelerometerConfig } from './config.js';
import { DropReporting } from './drop-driver-base.js';

export type AppAccelerometerConfig = Extract<AccelerometerConfig, { source: 'app' }>;

/** What the payment app says of a drop it detected (the control API's `report_drop`). */
export interface AppDropReport {
  /** ms since the epoch. */
  at: number;
  heightM: number;
  peakG: number;
}

/**
 * Drops the payment app detected, on an Android terminal where the agent cannot open the IIO device:
 * the same readings and `hardware.dropped` as the IIO driver's, with `drop_source: "app"`. The app
 * says nothing of the terminal's orientation or stillness; a drop it reports has ended.
 */
export class AppDropDriver extends DropReporting implements Driver {
  readonly intervalMs: number;
  readonly timeoutMs: number;

  constructor(config: AppAccelerometerConfig, ctx: DriverContext) {
    super(ctx);
    ({ intervalMs: this.intervalMs, timeoutMs: this.timeoutMs } = pollTiming(config, { interval: '30s', timeout: '1s' }));
  }

  async poll(): Promise<Observation> {
    return this.observation();
  }

  report(drop: AppDropReport): void {
    this.dropped({ ...drop, orientation: 'unknown', source: 'app' });
  }

  protected deviceObservation(): Observation {
    // Still as far as anyone knows: the app reports a drop once it is over.
    return { readings: { 'accelerometer.source': 'app', 'accelerometer.still': true } };
  }

  async close(): Promise<void> {
    this.stopEmitting();
  }
}
