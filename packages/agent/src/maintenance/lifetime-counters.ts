import { join } from 'node:path';
import { z } from 'zod';
import type { Readings } from '../core/readings.js';
import { readStateFile, writeJsonAtomic } from '../core/state-file.js';
import type { AnyFamily, FamilyWear, WearState } from '../devices/family.js';
import { families } from '../devices/index.js';
import type { DeviceEvent } from '../drivers/contract.js';
import { foldReaderStats } from './fold-reader-stats.js';

/**
 * Lifetime counters of wear parts, persisted in the state directory so they survive restarts: one
 * file for every family that wears (`wear`, devices/family.ts), each family's fields side by side at
 * its top level (the printer's cuts and feed, the card reader's swipes, the battery's discharge and
 * daily capacity). What wears and how it is counted is the family's; this is only where it is kept.
 * Writes are atomic (temp file, fsync, rename, fsync of the directory): a crash leaves the previous
 * file or the new one, never half of one.
 *
 * The pipeline hands every device event to `count` and the terminal's readings to `observe`, saves
 * periodically, and feeds `readings()` to the monitor as the `maintenance` source.
 */
export const LIFETIME_FILE = 'lifetime-counters.json';

/** The file's content: every wearing family's fields. */
export type LifetimeFile = Readonly<Record<string, unknown>>;

/** One family's counters, as they are now. */
export interface WearPart {
  readonly family: string;
  readonly wear: FamilyWear;
  state: WearState;
}

export class LifetimeCounters {
  private constructor(
    private readonly file: string,
    private readonly parts: readonly WearPart[],
    /** Why the stored file was not used (unreadable or invalid), for the log; null when it was. */
    readonly loadProblem: string | null,
  ) {}

  /**
   * Loads `<stateDir>/lifetime-counters.json` for the families that wear (every registered one unless
   * told); a missing file starts at zero, as does a corrupt one (see loadProblem), and a field the file
   * lacks at that family's empty counters. Then folds in the card reader's old counts, the first time
   * only (fold-reader-stats.ts). Rejects when two families declare one field.
   */
  static async open(stateDir: string, list: readonly AnyFamily[] = families): Promise<LifetimeCounters> {
    const file = join(stateDir, LIFETIME_FILE);
    const wearing = list.flatMap((family) => (family.wear ? [{ family: family.key, wear: family.wear }] : []));
    const schema = fileSchema(wearing);
    let stored: LifetimeFile | undefined;
    let loadProblem: string | null = null;
    try {
      stored = readStateFile(file, schema);
    } catch (err) {
      loadProblem = `${file}: ${(err as Error).message}`;
    }
    const parts = wearing.map(({ family, wear }) => ({ family, wear, state: { ...wear.empty(), ...storedFields(wear, stored) } }));
    const counters = new LifetimeCounters(file, parts, loadProblem);
    foldReaderStats(stateDir, stored, parts, () => counters.write());
    return counters;
  }

  /** A wear event, counted by the family it names; any other event wears nothing. */
  count(event: DeviceEvent): void {
    if (event.type !== 'wear') return;
    const part = this.parts.find((p) => p.family === event.family);
    if (part?.wear.count) part.state = part.wear.count(part.state, event.detail);
  }

  /** Wear from live readings (the battery's discharge and capacity). */
  observe(readings: Readings, at: number): void {
    for (const part of this.parts) if (part.wear.observe) part.state = part.wear.observe(part.state, readings, at);
  }

  /** The derived readings (totals, rates, trends) for the rule engine: every family's. */
  readings(): Readings {
    return Object.assign({}, ...this.parts.map((p) => p.wear.readings(p.state))) as Readings;
  }

  /** The file's content as it would be saved now. */
  snapshot(): LifetimeFile {
    return structuredClone(this.content());
  }

  async save(): Promise<void> {
    this.write();
  }

  private write(): void {
    writeJsonAtomic(this.file, this.content());
  }

  private content(): LifetimeFile {
    return Object.assign({}, ...this.parts.map((p) => p.state)) as LifetimeFile;
  }
}

/** Every family's fields, each optional (a file written before it existed lacks it); a field is one family's. */
function fileSchema(wearing: readonly Omit<WearPart, 'state'>[]): z.ZodType<LifetimeFile> {
  const shape: Record<string, z.ZodOptional> = {};
  const owners = new Map<string, string>();
  for (const { family, wear } of wearing) {
    for (const [field, schema] of Object.entries(wear.fields)) {
      const owner = owners.get(field);
      if (owner !== undefined) throw new Error(`lifetime counters: "${field}" is a field of both ${owner} and ${family}`);
      owners.set(field, family);
      shape[field] = schema.optional();
    }
  }
  return z.object(shape);
}

/** The fields of `wear` that the stored file has. */
function storedFields(wear: FamilyWear, stored: LifetimeFile | undefined): WearState {
  return Object.fromEntries(Object.keys(wear.fields).flatMap((field) => (stored?.[field] === undefined ? [] : [[field, stored[field]]])));
}
