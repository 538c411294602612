import type { Readings } from '../core/readings.js';

/**
 * Derived readings for predictive maintenance: pure functions over lifetime counters and their
 * history, fed to the rule engine as ordinary readings so maintenance faults are plain rules.
 */

export const TRACKS = ['1', '2', '3'] as const;
export type Track = (typeof TRACKS)[number];

export interface TrackCounters {
  swipes: number;
  failures: number;
  /** Outcomes of the latest swipes, oldest first (true: read ok), at most RECENT_SWIPES. */
  recent: boolean[];
}

export interface LifetimeState {
  printer: { cuts: number; feedMm: number };
  cardReader: Record<Track, TrackCounters>;
  /** Whole swipes: good when no track failed and one read (the card reader's `good` outcome), else failed. */
  cardReads: { good: number; failed: number };
  battery: {
    /** Sum of every drop of the level while discharging, in percent: 100 is one full cycle. */
    dischargedPct: number;
    lastLevelPct: number | null;
    /** At most one per day (the latest of that day), oldest first. */
    capacity: { at: number; pct: number }[];
  };
}

export const RECENT_SWIPES = 50;
/** Below this many older swipes, a rise cannot be told from noise. */
const MIN_BASELINE_SWIPES = 50;
export const CAPACITY_DAYS_KEPT = 180;
/** A capacity trend needs this much history; a fortnight of noise is not a trend. */
const MIN_TREND_SPAN_MS = 14 * 86_400_000;
const MONTH_MS = 30 * 86_400_000;

export function emptyLifetimeState(): LifetimeState {
  const track = (): TrackCounters => ({ swipes: 0, failures: 0, recent: [] });
  return {
    printer: { cuts: 0, feedMm: 0 },
    cardReader: { '1': track(), '2': track(), '3': track() },
    cardReads: { good: 0, failed: 0 },
    battery: { dischargedPct: 0, lastLevelPct: null, capacity: [] },
  };
}

/**
 * `printer.cuts_total`, `printer.feed_mm_total`, `battery.cycles_estimated`,
 * `battery.capacity_fade_pct_per_month` (when the trend is known), `card_reader.good_reads_total`,
 * `card_reader.failed_reads_total`, and per track
 * `card_reader.track.<n>.swipes_total` and `.failure_rise_pts` (when there is a baseline).
 */
export function maintenanceReadings(state: LifetimeState): Readings {
  const out: Readings = {
    'printer.cuts_total': state.printer.cuts,
    'printer.feed_mm_total': Math.round(state.printer.feedMm),
    'battery.cycles_estimated': Math.round(state.battery.dischargedPct) / 100,
    'card_reader.good_reads_total': state.cardReads.good,
    'card_reader.failed_reads_total': state.cardReads.failed,
  };
  const fade = capacityFadePerMonth(state.battery.capacity);
  if (fade !== null) out['battery.capacity_fade_pct_per_month'] = Math.round(fade * 100) / 100;
  for (const track of TRACKS) {
    const counters = state.cardReader[track];
    out[`card_reader.track.${track}.swipes_total`] = counters.swipes;
    const rise = failureRisePoints(counters);
    if (rise !== null) out[`card_reader.track.${track}.failure_rise_pts`] = Math.round(rise * 10) / 10;
  }
  return out;
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

/** Failure rate of the latest swipes minus that of all earlier ones, in percentage points. */
export function failureRisePoints(counters: TrackCounters): number | null {
  const recentFailures = counters.recent.filter((ok) => !ok).length;
  const olderSwipes = counters.swipes - counters.recent.length;
  if (counters.recent.length < RECENT_SWIPES || olderSwipes < MIN_BASELINE_SWIPES) return null;
  const recentPct = (recentFailures / counters.recent.length) * 100;
  const olderPct = ((counters.failures - recentFailures) / olderSwipes) * 100;
  return recentPct - olderPct;
}
