import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LIFETIME_FILE, LifetimeCounters } from '../../src/maintenance/lifetime-counters.js';

/**
 * fixtures/maintenance/lifetime-counters.json was written by the version before wear was the families'
 * (8e12f3d: one fixed schema in maintenance/), after 1,234 cuts, 160 swipes on tracks 1 and 2, a few
 * discharges and three weeks of capacity samples. The readings below are what that version derived.
 * Matched, not equal: a family that joins later adds its own empty counters and readings beside them.
 */
const FIXTURE = new URL('../../fixtures/maintenance/lifetime-counters.json', import.meta.url);
const READINGS_THEN = {
  'printer.cuts_total': 1234,
  'printer.feed_mm_total': 98765,
  'battery.cycles_estimated': 0.6,
  'battery.capacity_fade_pct_per_month': 4.5,
  'card_reader.good_reads_total': 137,
  'card_reader.failed_reads_total': 23,
  'card_reader.track.1.swipes_total': 160,
  'card_reader.track.1.failure_rise_pts': -1.5,
  'card_reader.track.2.swipes_total': 160,
  'card_reader.track.2.failure_rise_pts': 14.5,
  'card_reader.track.3.swipes_total': 3,
};

const dir = mkdtempSync(join(tmpdir(), 'posdiag-lifetime-format-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a lifetime file written before wear was the families\'', () => {
  it('loads with the same counts and readings, and is saved back with the same content', async () => {
    copyFileSync(FIXTURE, join(dir, LIFETIME_FILE));
    const then = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Record<string, unknown>;

    const counters = await LifetimeCounters.open(dir);
    expect(counters.loadProblem).toBeNull();
    expect(counters.readings()).toMatchObject(READINGS_THEN);
    expect(counters.snapshot()).toMatchObject(then);

    await counters.save();
    expect(JSON.parse(readFileSync(join(dir, LIFETIME_FILE), 'utf8'))).toMatchObject(then);
  });
});
