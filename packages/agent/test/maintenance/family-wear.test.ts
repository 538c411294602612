import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { afterAll, describe, expect, it } from 'vitest';
import type { AnyFamily, FamilyWear } from '../../src/devices/family.js';
import { families } from '../../src/devices/index.js';
import { system } from '../../src/devices/system/index.js';
import { LIFETIME_FILE, LifetimeCounters } from '../../src/maintenance/lifetime-counters.js';

/** The engine knows no family: a family that wears brings its fields, its counting and its readings. */
type Drops = { drops: { count: number; highestCm: number } };
const dropWear: FamilyWear<Drops, { heightCm: number }> = {
  fields: { drops: z.object({ count: z.number().int().nonnegative(), highestCm: z.number().nonnegative() }) },
  empty: () => ({ drops: { count: 0, highestCm: 0 } }),
  count: ({ drops }, drop) => ({ drops: { count: drops.count + 1, highestCm: Math.max(drops.highestCm, drop.heightCm) } }),
  readings: ({ drops }) => ({ 'drops.total': drops.count, 'drops.highest_cm': drops.highestCm }),
};
const withDrops: AnyFamily[] = [...families, { ...system, key: 'drops', wear: dropWear }];
const drop = (heightCm: number) => ({ type: 'wear', family: 'drops', detail: { heightCm } }) as const;

const root = mkdtempSync(join(tmpdir(), 'posdiag-family-wear-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const stateDir = () => join(root, String(++dirs));

describe('wear a family declares', () => {
  it('is counted from its own events, kept in the one file beside the others, and read back after a restart', async () => {
    const dir = stateDir();
    const counters = await LifetimeCounters.open(dir, withDrops);
    counters.count(drop(80));
    counters.count(drop(120));
    counters.count({ type: 'wear', family: 'printer', detail: { paperMm: 50 } });
    expect(counters.readings()).toMatchObject({ 'drops.total': 2, 'drops.highest_cm': 120, 'printer.cuts_total': 1 });
    await counters.save();

    expect(JSON.parse(readFileSync(join(dir, LIFETIME_FILE), 'utf8'))).toMatchObject({ drops: { count: 2, highestCm: 120 }, printer: { cuts: 1, feedMm: 50 } });
    expect((await LifetimeCounters.open(dir, withDrops)).readings()).toMatchObject({ 'drops.total': 2, 'printer.cuts_total': 1 });
  });

  it('starts at its empty counters in a file written before the family was, leaving the others\' counts as they were', async () => {
    const dir = stateDir();
    const before = await LifetimeCounters.open(dir);
    before.count({ type: 'wear', family: 'printer', detail: { paperMm: 10 } });
    await before.save();

    const after = await LifetimeCounters.open(dir, withDrops);
    expect(after.loadProblem).toBeNull();
    expect(after.readings()).toMatchObject({ 'drops.total': 0, 'printer.cuts_total': 1 });
  });

  it('is nobody else\'s: an event naming a family that does not wear counts nothing, and other events wear nothing', async () => {
    const counters = await LifetimeCounters.open(stateDir(), withDrops);
    const before = counters.snapshot();
    counters.count({ type: 'wear', family: 'network', detail: { heightCm: 1 } });
    counters.count({ type: 'clock_reference', source: 'hub', referenceMs: 0 });
    expect(counters.snapshot()).toEqual(before);
  });

  it('is refused when two families declare one field', async () => {
    const twice: AnyFamily[] = [...withDrops, { ...system, key: 'moreDrops', wear: dropWear }];
    await expect(LifetimeCounters.open(stateDir(), twice)).rejects.toThrow('lifetime counters: "drops" is a field of both drops and moreDrops');
  });

  it('is judged as a whole file: one field that does not parse starts every family over, saying why', async () => {
    const dir = stateDir();
    const counters = await LifetimeCounters.open(dir, withDrops);
    counters.count(drop(30));
    await counters.save();
    const file = join(dir, LIFETIME_FILE);
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), drops: { count: -1, highestCm: 30 } }));

    const reopened = await LifetimeCounters.open(dir, withDrops);
    expect(reopened.loadProblem).toMatch(/^.*lifetime-counters\.json: not a valid state file: .*drops/);
    expect(reopened.readings()).toMatchObject({ 'drops.total': 0, 'printer.cuts_total': 0 });
  });
});
