import { z } from 'zod';
import type { Readings } from '../../core/readings.js';
import type { FamilyWear } from '../family.js';

/** The battery's lifetime counters, from its readings (no device event tells a battery's wear). */
export type BatteryWear = {
  battery: {
    /** Sum of every drop of the level while discharging, in percent: 100 is one full cycle. */
    dischargedPct: number;
    lastLevelPct: number | null;
    /** At most one per day (the latest of that day), oldest first. */
    capacity: { at: number; pct: number }[];
  };
};

export const CAPACITY_DAYS_KEPT = 180;
/** A capacity trend needs this much history; a fortnight of noise is not a trend. */
const MIN_TREND_SPAN_MS = 14 * 86_400_000;
const DAY_MS = 86_400_000;
const MONTH_MS = 30 * DAY_MS;

/** `battery.cycles_estimated` and `battery.capacity_fade_pct_per_month` (when the trend is known: what maintenance.battery_fading judges). */
export const batteryWear: FamilyWear<BatteryWear> = {
  fields: {
    battery: z.object({
      dischargedPct: z.number().nonnegative(),
      lastLevelPct: z.number().nullable(),
      capacity: z.array(z.object({ at: z.number(), pct: z.number() })).max(CAPACITY_DAYS_KEPT),
    }),
  },
  empty: () => ({ battery: { dischargedPct: 0, lastLevelPct: null, capacity: [] } }),
  observe: ({ battery }, readings, at) => ({ battery: { ...discharged(battery, readings), capacity: sampled(battery.capacity, readings, at) } }),
  readings({ battery }) {
    const out: Readings = { 'battery.cycles_estimated': Math.round(battery.dischargedPct) / 100 };
    const fade = capacityFadePerMonth(battery.capacity);
    if (fade !== null) out['battery.capacity_fade_pct_per_month'] = Math.round(fade * 100) / 100;
    return out;
  },
};

/** Discharge depth (cycles): each drop of the level while discharging. */
function discharged(battery: BatteryWear['battery'], readings: Readings): Pick<BatteryWear['battery'], 'dischargedPct' | 'lastLevelPct'> {
  const level = readings['battery.level_pct'];
  if (typeof level !== 'number') return battery;
  const drop = readings['battery.status'] === 'discharging' && battery.lastLevelPct !== null && level < battery.lastLevelPct ? battery.lastLevelPct - level : 0;
  return { dischargedPct: battery.dischargedPct + drop, lastLevelPct: level };
}

/** One capacity sample per day, the day's latest, CAPACITY_DAYS_KEPT days at most. */
function sampled(samples: BatteryWear['battery']['capacity'], readings: Readings, at: number): BatteryWear['battery']['capacity'] {
  const pct = readings['battery.capacity_health_pct'];
  if (typeof pct !== 'number') return samples;
  const last = samples[samples.length - 1];
  const sameDay = last !== undefined && Math.floor(last.at / DAY_MS) === Math.floor(at / DAY_MS);
  return [...(sameDay ? samples.slice(0, -1) : samples), { at, pct }].slice(-CAPACITY_DAYS_KEPT);
}

/** Least-squares slope of capacity over time, as percent lost per 30 days (positive: fading). */
export function capacityFadePerMonth(samples: readonly { at: number; pct: number }[]): number | null {
  if (samples.length < 3 || samples[samples.length - 1]!.at - samples[0]!.at < MIN_TREND_SPAN_MS) return null;
  const n = samples.length;
  const meanT = samples.reduce((a, s) => a + s.at, 0) / n;
  const meanP = samples.reduce((a, s) => a + s.pct, 0) / n;
  let num = 0;
  let den = 0;
  for (const s of samples) {
    num += (s.at - meanT) * (s.pct - meanP);
    den += (s.at - meanT) ** 2;
  }
  return -(num / den) * MONTH_MS;
}
