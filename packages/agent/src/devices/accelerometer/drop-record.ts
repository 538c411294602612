import type { SelfTestResult } from 'posdiag-protocol';
import type { Readings } from '../../core/readings.js';
import type { WearEvent } from '../../drivers/contract.js';
import type { Orientation } from './drop-detector.js';

/**
 * The terminal's latest drop as readings, whoever detected it (the IIO driver's detector, or the
 * payment app through `report_drop`), from the drop until the self-test after it passed or
 * DROP_OPEN_MS went by: what `hardware.dropped` judges and carries. Held in memory only: a restart
 * forgets an open drop (the fault it raised is on the hub already), the lifetime count is the
 * counters' (wear.ts).
 */
export const DROP_OPEN_MS = 24 * 3_600_000;

export type DropSource = 'iio' | 'app';

export interface DropFacts {
  /** ms since the epoch. */
  at: number;
  heightM: number;
  peakG: number;
  orientation: Orientation;
  source: DropSource;
}

/** The wear event of one drop: counted once, in the lifetime counters. */
export interface DropWear {
  at: number;
}

export function dropWearEvent(at: number): WearEvent<DropWear> {
  return { type: 'wear', family: 'accelerometer', detail: { at } };
}

export class DropRecord {
  private latest: (DropFacts & { selfTest: 'pending' | 'passed' | 'failed'; failed: string[] }) | undefined;
  private count = 0;

  record(drop: DropFacts): void {
    this.latest = { ...drop, selfTest: 'pending', failed: [] };
    this.count++;
  }

  /**
   * What the self-test after the drop found: a pass closes the drop, a failure keeps it open with the
   * failed checks. A device already failing before the drop (`failingBefore`, by driver name) is not
   * the drop's doing: its check does not count.
   */
  selfTested(result: SelfTestResult, failingBefore: ReadonlySet<string>): void {
    if (!this.latest || this.latest.selfTest !== 'pending') return;
    const failed = result.checks.filter((c) => !c.passed && !failingBefore.has(c.device)).map((c) => `${c.device}.${c.name}`);
    this.latest = { ...this.latest, selfTest: failed.length ? 'failed' : 'passed', failed };
  }

  readings(now: number): Readings {
    const out: Readings = { 'accelerometer.drops': this.count };
    const drop = this.latest;
    if (!drop) return { ...out, 'accelerometer.drop_open': false };
    out['accelerometer.drop_open'] = drop.selfTest !== 'passed' && now - drop.at < DROP_OPEN_MS;
    out['accelerometer.drop_at'] = new Date(drop.at).toISOString();
    out['accelerometer.drop_height_m'] = drop.heightM;
    out['accelerometer.drop_peak_g'] = drop.peakG;
    out['accelerometer.drop_orientation'] = drop.orientation;
    out['accelerometer.drop_source'] = drop.source;
    out['accelerometer.drop_self_test'] = drop.selfTest;
    if (drop.failed.length) out['accelerometer.drop_self_test_failed'] = drop.failed.join(', ').slice(0, 256);
    return out;
  }
}
