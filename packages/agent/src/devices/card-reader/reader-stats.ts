import { join } from 'node:path';
import { z } from 'zod';
import type { Logger } from '../../log/logger.js';
import { readStateFile, writeJsonAtomic } from '../../core/state-file.js';

/**
 * The reader's hours connected (UnifiedPOS MSR's HoursPoweredCount), kept across restarts in
 * `<state>/card-reader-stats.json`. Its swipes are wear, counted once in the lifetime counters
 * (wear.ts); the counts this file held before are folded into those once
 * (maintenance/fold-reader-stats.ts, through `legacyReadCounts` and `dropLegacyReadCounts` below).
 * Counts only: nothing in here could identify a card.
 */
export const STATS_FILE = 'card-reader-stats.json';

/**
 * Loose: fields this file does not own (the old counts, until they are folded) are kept as read and
 * written back, so a driver that runs before the fold (a standalone self-test) cannot lose them.
 */
const statsSchema = z.looseObject({
  version: z.literal(1),
  hoursConnected: z.number().min(0),
});
type ReaderStatistics = z.infer<typeof statsSchema>;

/** What the versions that counted swipes here wrote beside the hours (per-track errors: the counters have them). */
const LEGACY_COUNTS = ['goodReadCount', 'failedReadCount', 'trackErrorCounts', 'outcomeCounts'] as const;
const count = z.number().int().min(0);
const legacySchema = z.looseObject({ goodReadCount: count, failedReadCount: count });

/** Connected time is written at most this often: spare the flash. */
const CONNECTED_FLUSH_MS = 5 * 60_000;

function emptyStatistics(): ReaderStatistics {
  return { version: 1, hoursConnected: 0 };
}

/** Reads the statistics file; a missing one is a fresh start. Throws on a corrupt or unreadable file. */
function readStatistics(stateDir: string): ReaderStatistics {
  return readStateFile(join(stateDir, STATS_FILE), statsSchema) ?? emptyStatistics();
}

/** The good and failed reads an older version counted in the file; null when it holds none (or cannot be read). */
export function legacyReadCounts(stateDir: string): { good: number; failed: number } | null {
  try {
    const legacy = readStateFile(join(stateDir, STATS_FILE), legacySchema);
    return legacy ? { good: legacy.goodReadCount, failed: legacy.failedReadCount } : null;
  } catch {
    // No counts in it (a file this version wrote) or not readable at all: nothing to fold.
    return null;
  }
}

/** Rewrites the file without the old counts, once they are counted elsewhere; a file without them is left alone. */
export function dropLegacyReadCounts(stateDir: string): void {
  const file = join(stateDir, STATS_FILE);
  const stats = readStateFile(file, z.looseObject({}));
  if (!stats || !LEGACY_COUNTS.some((key) => key in stats)) return;
  for (const key of LEGACY_COUNTS) delete stats[key];
  writeJsonAtomic(file, stats);
}

export class ReaderStatsStore {
  private readonly file: string;
  private loaded: ReaderStatistics | undefined;
  private dirtySince: number | undefined;

  constructor(
    private readonly stateDir: string,
    private readonly log: Logger,
  ) {
    this.file = join(stateDir, STATS_FILE);
  }

  get hoursConnected(): number {
    return this.stats.hoursConnected;
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

  /**
   * Read on first use, not when the driver is built: the pipeline builds its drivers before it opens
   * the lifetime counters, which fold the old counts out of this file, and a copy read earlier would
   * write them back.
   */
  private get stats(): ReaderStatistics {
    return (this.loaded ??= this.load());
  }

  private load(): ReaderStatistics {
    try {
      return readStatistics(this.stateDir);
    } catch (err) {
      // Hours connected are worth less than a running driver: start over, and say so.
      this.log.warn({ file: this.file, err: (err as Error).message }, 'card reader statistics unreadable; starting from zero');
      return emptyStatistics();
    }
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
