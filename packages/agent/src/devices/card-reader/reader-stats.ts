import { join } from 'node:path';
import { z } from 'zod';
import type { Logger } from '../../log/logger.js';
import { readStateFile, writeJsonAtomic } from '../../core/state-file.js';
import { FAILED_TRACK, isGoodRead, type SwipeOutcome, type SwipeResult } from './swipe.js';

/**
 * UnifiedPOS-style device statistics (MSR: GoodReadCount, FailedReadCount, per-track errors,
 * HoursPoweredCount — here hours connected), kept across restarts in `<state>/card-reader-stats.json`.
 * Counts only: nothing in here could identify a card.
 */
export const STATS_FILE = 'card-reader-stats.json';

const OUTCOMES = ['good', 'lrc_or_parity_error', 'no_start_sentinel', 'blank_card', 'partial'] as const satisfies readonly SwipeOutcome[];
const count = z.number().int().min(0);

const statsSchema = z.object({
  version: z.literal(1),
  goodReadCount: count,
  failedReadCount: count,
  trackErrorCounts: z.tuple([count, count, count]),
  outcomeCounts: z.object(Object.fromEntries(OUTCOMES.map((o) => [o, count.default(0)])) as Record<SwipeOutcome, z.ZodDefault<typeof count>>),
  hoursConnected: z.number().min(0),
});
export type ReaderStatistics = z.infer<typeof statsSchema>;

/** Connected time is written at most this often (swipes are written at once): spare the flash. */
const CONNECTED_FLUSH_MS = 5 * 60_000;

export function emptyStatistics(): ReaderStatistics {
  return {
    version: 1,
    goodReadCount: 0,
    failedReadCount: 0,
    trackErrorCounts: [0, 0, 0],
    outcomeCounts: { good: 0, lrc_or_parity_error: 0, no_start_sentinel: 0, blank_card: 0, partial: 0 },
    hoursConnected: 0,
  };
}

/** Reads the statistics file; a missing one is a fresh start. Throws on a corrupt or unreadable file. */
export function readStatistics(stateDir: string): ReaderStatistics {
  return readStateFile(join(stateDir, STATS_FILE), statsSchema) ?? emptyStatistics();
}

export class ReaderStatsStore {
  private readonly file: string;
  private stats: ReaderStatistics;
  private dirtySince: number | undefined;

  constructor(
    stateDir: string,
    private readonly log: Logger,
  ) {
    this.file = join(stateDir, STATS_FILE);
    try {
      this.stats = readStatistics(stateDir);
    } catch (err) {
      // Lifetime counters are worth less than a running driver: start over, and say so.
      log.warn({ file: this.file, err: (err as Error).message }, 'card reader statistics unreadable; starting from zero');
      this.stats = emptyStatistics();
    }
  }

  get current(): Readonly<ReaderStatistics> {
    return this.stats;
  }

  recordSwipe(swipe: SwipeResult): void {
    if (isGoodRead(swipe)) this.stats.goodReadCount++;
    else this.stats.failedReadCount++;
    this.stats.outcomeCounts[swipe.outcome]++;
    swipe.tracks.forEach((t, i) => {
      if (FAILED_TRACK.has(t.status)) this.stats.trackErrorCounts[i as 0 | 1 | 2]++;
    });
    this.write();
  }

  /** Adds connected time measured by the caller; written when some is older than the flush interval. */
  addConnected(ms: number, now: number): void {
    if (ms <= 0) return;
    this.stats.hoursConnected += ms / 3_600_000;
    this.dirtySince ??= now;
    if (now - this.dirtySince >= CONNECTED_FLUSH_MS) this.write();
  }

  /** Writes anything not yet on disk (on close). */
  flush(): void {
    if (this.dirtySince !== undefined) this.write();
  }

  private write(): void {
    this.dirtySince = undefined;
    try {
      writeJsonAtomic(this.file, this.stats);
    } catch (err) {
      this.log.warn({ file: this.file, err: (err as Error).message }, 'cannot write card reader statistics');
    }
  }
}
