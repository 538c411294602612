import { join } from 'node:path';
import { z } from 'zod';
import type { Readings } from '../core/readings.js';
import { readStateFile, writeJsonAtomic } from '../core/state-file.js';
import { foldReaderStats } from './fold-reader-stats.js';
import { CAPACITY_DAYS_KEPT, emptyLifetimeState, maintenanceReadings, RECENT_SWIPES } from './maintenance-trends.js';
import type { LifetimeState, Track } from './maintenance-trends.js';

/**
 * Lifetime counters of wear parts, persisted in the state directory so they survive restarts:
 * printer cuts and feed, card swipes (good and failed reads, and swipes and failures per track),
 * battery discharge (cycles) and daily capacity. Writes are atomic (temp file, fsync, rename, fsync
 * of the directory): a crash leaves the previous file or the new one, never half of one.
 *
 * The agent records events through the `record*` methods and readings through `observe`, saves
 * periodically, and feeds `readings()` to the monitor as the `maintenance` source.
 */
export const LIFETIME_FILE = 'lifetime-counters.json';
const DAY_MS = 86_400_000;

const trackSchema = z.object({ swipes: z.number().int().nonnegative(), failures: z.number().int().nonnegative(), recent: z.array(z.boolean()).max(RECENT_SWIPES) });
const stateSchema = z.object({
  printer: z.object({ cuts: z.number().int().nonnegative(), feedMm: z.number().nonnegative() }),
  cardReader: z.object({ '1': trackSchema, '2': trackSchema, '3': trackSchema }),
  // Absent from a file written before the card reader's own counts were folded in (fold-reader-stats.ts).
  cardReads: z.object({ good: z.number().int().nonnegative(), failed: z.number().int().nonnegative() }).optional(),
  battery: z.object({
    dischargedPct: z.number().nonnegative(),
    lastLevelPct: z.number().nullable(),
    capacity: z.array(z.object({ at: z.number(), pct: z.number() })).max(CAPACITY_DAYS_KEPT),
  }),
});

export class LifetimeCounters {
  private constructor(
    private readonly file: string,
    private readonly state: LifetimeState,
    /** Why the stored file was not used (unreadable or invalid), for the log; null when it was. */
    readonly loadProblem: string | null,
  ) {}

  /**
   * Loads `<stateDir>/lifetime-counters.json`; a missing file starts at zero, as does a corrupt one (see
   * loadProblem). Then folds in the card reader's old counts, the first time only (fold-reader-stats.ts).
   */
  static async open(stateDir: string): Promise<LifetimeCounters> {
    const file = join(stateDir, LIFETIME_FILE);
    let stored: z.infer<typeof stateSchema> | undefined;
    let loadProblem: string | null = null;
    try {
      stored = readStateFile(file, stateSchema);
    } catch (err) {
      loadProblem = `${file}: ${(err as Error).message}`;
    }
    const state = stored ? { ...stored, cardReads: stored.cardReads ?? emptyLifetimeState().cardReads } : emptyLifetimeState();
    foldReaderStats(stateDir, state, stored?.cardReads !== undefined, () => writeJsonAtomic(file, state));
    return new LifetimeCounters(file, state, loadProblem);
  }

  recordCut(count = 1): void {
    this.state.printer.cuts += count;
  }

  recordFeed(mm: number): void {
    this.state.printer.feedMm += mm;
  }

  recordSwipe(track: Track, ok: boolean): void {
    const counters = this.state.cardReader[track];
    counters.swipes++;
    if (!ok) counters.failures++;
    counters.recent.push(ok);
    if (counters.recent.length > RECENT_SWIPES) counters.recent.shift();
  }

  /** One whole swipe, good or failed (its tracks are recordSwipe's). */
  recordRead(good: boolean): void {
    this.state.cardReads[good ? 'good' : 'failed']++;
  }

  /** Battery wear from live readings: discharge depth (cycles) and one capacity sample per day. */
  observe(readings: Readings, at: number): void {
    const battery = this.state.battery;
    const level = readings['battery.level_pct'];
    if (typeof level === 'number') {
      if (readings['battery.status'] === 'discharging' && battery.lastLevelPct !== null && level < battery.lastLevelPct) {
        battery.dischargedPct += battery.lastLevelPct - level;
      }
      battery.lastLevelPct = level;
    }
    const capacity = readings['battery.capacity_health_pct'];
    if (typeof capacity === 'number') {
      const last = battery.capacity[battery.capacity.length - 1];
      if (last && Math.floor(last.at / DAY_MS) === Math.floor(at / DAY_MS)) battery.capacity[battery.capacity.length - 1] = { at, pct: capacity };
      else battery.capacity.push({ at, pct: capacity });
      if (battery.capacity.length > CAPACITY_DAYS_KEPT) battery.capacity.shift();
    }
  }

  /** The derived readings (totals, rates, trends) for the rule engine. */
  readings(): Readings {
    return maintenanceReadings(this.state);
  }

  snapshot(): LifetimeState {
    return structuredClone(this.state);
  }

  async save(): Promise<void> {
    writeJsonAtomic(this.file, this.state);
  }

}
