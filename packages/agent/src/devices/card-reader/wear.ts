import { z } from 'zod';
import type { Readings } from '../../core/readings.js';
import type { WearEvent } from '../../drivers/contract.js';
import type { FamilyWear } from '../family.js';
import type { SwipeResult } from './swipe.js';

export const TRACKS = ['1', '2', '3'] as const;
export type Track = (typeof TRACKS)[number];

/** A swipe as the wear counters take it: tracks 1 to 3, each read, failed, or empty (nothing on the card there). */
export interface Swipe {
  readonly tracks: readonly ('ok' | 'failed' | 'empty')[];
}

export interface TrackCounters {
  swipes: number;
  failures: number;
  /** Outcomes of the latest swipes, oldest first (true: read ok), at most RECENT_SWIPES. */
  recent: boolean[];
}

/**
 * The card reader's lifetime counters: per track (`cardReader`), and whole swipes (`cardReads`): good
 * when a track read and none failed (the reader's `good` outcome), else failed. A file written before
 * 460e2aa has no `cardReads`: maintenance/fold-reader-stats.ts moves the reader's old counts in.
 */
export type CardReaderWear = { cardReader: Record<Track, TrackCounters>; cardReads: { good: number; failed: number } };

export const RECENT_SWIPES = 50;
/** Below this many older swipes, a rise cannot be told from noise. */
const MIN_BASELINE_SWIPES = 50;

/** A swipe's wear event: each track's outcome, never its data. */
export function swipeEvent(swipe: SwipeResult): WearEvent<Swipe> {
  return { type: 'wear', family: 'cardReader', detail: { tracks: swipe.tracks.map((t) => (t.status === 'ok' ? 'ok' : t.status === 'empty' ? 'empty' : 'failed')) } };
}

const count = z.number().int().nonnegative();
const trackSchema = z.object({ swipes: count, failures: count, recent: z.array(z.boolean()).max(RECENT_SWIPES) });
const emptyTrack = (): TrackCounters => ({ swipes: 0, failures: 0, recent: [] });

/**
 * `card_reader.good_reads_total`, `card_reader.failed_reads_total`, and per track
 * `card_reader.track.<n>.swipes_total` and `.failure_rise_pts` (when there is a baseline: what
 * maintenance.card_reader_degrading judges).
 */
export const cardReaderWear: FamilyWear<CardReaderWear, Swipe> = {
  fields: {
    cardReader: z.object({ '1': trackSchema, '2': trackSchema, '3': trackSchema }),
    cardReads: z.object({ good: count, failed: count }),
  },
  empty: () => ({ cardReader: { '1': emptyTrack(), '2': emptyTrack(), '3': emptyTrack() }, cardReads: { good: 0, failed: 0 } }),
  count({ cardReader, cardReads }, swipe) {
    const good = swipe.tracks.includes('ok') && !swipe.tracks.includes('failed');
    return {
      cardReader: { '1': swiped(cardReader['1'], swipe.tracks[0]), '2': swiped(cardReader['2'], swipe.tracks[1]), '3': swiped(cardReader['3'], swipe.tracks[2]) },
      cardReads: good ? { good: cardReads.good + 1, failed: cardReads.failed } : { good: cardReads.good, failed: cardReads.failed + 1 },
    };
  },
  readings({ cardReader, cardReads }) {
    const out: Readings = { 'card_reader.good_reads_total': cardReads.good, 'card_reader.failed_reads_total': cardReads.failed };
    for (const track of TRACKS) {
      out[`card_reader.track.${track}.swipes_total`] = cardReader[track].swipes;
      const rise = failureRisePoints(cardReader[track]);
      if (rise !== null) out[`card_reader.track.${track}.failure_rise_pts`] = Math.round(rise * 10) / 10;
    }
    return out;
  },
};

/** A track's counters after a swipe; a track the card had nothing on did not wear. */
function swiped(counters: TrackCounters, outcome: Swipe['tracks'][number] | undefined): TrackCounters {
  if (outcome === undefined || outcome === 'empty') return counters;
  const ok = outcome === 'ok';
  return { swipes: counters.swipes + 1, failures: counters.failures + (ok ? 0 : 1), recent: [...counters.recent, ok].slice(-RECENT_SWIPES) };
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
