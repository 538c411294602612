import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LIFETIME_FILE, LifetimeCounters } from '../../src/maintenance/lifetime-counters.js';
import { capacityFadePerMonth, type BatteryWear } from '../../src/devices/battery/wear.js';
import { failureRisePoints, type CardReaderWear } from '../../src/devices/card-reader/wear.js';
import { loadDefaultRules } from '../../src/rules/rule-files.js';
import { RuleEngine } from '../../src/rules/rule-engine.js';
import { FAULT_CATALOG } from '../../src/devices/catalog.js';

const dir = mkdtempSync(join(tmpdir(), 'posdiag-lifetime-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);

describe('lifetime counters', () => {
  it('persist atomically across a restart and start at zero without a file', async () => {
    const state = join(dir, 'a');
    mkdirSync(state);
    const first = await LifetimeCounters.open(state);
    expect(first.loadProblem).toBeNull();
    expect(first.readings()['printer.cuts_total']).toBe(0);
    // Three cuts, 120.4 mm of paper between them, and a swipe that failed on track 2 only.
    for (const paperMm of [120.4, 0, 0]) first.count({ type: 'wear', family: 'printer', detail: { paperMm } });
    first.count({ type: 'wear', family: 'cardReader', detail: { tracks: ['empty', 'failed', 'empty'] } });
    await first.save();
    expect(existsSync(join(state, `${LIFETIME_FILE}.tmp`))).toBe(false);

    const second = await LifetimeCounters.open(state);
    expect(second.readings()).toMatchObject({ 'printer.cuts_total': 3, 'printer.feed_mm_total': 120, 'card_reader.track.2.swipes_total': 1 });
    expect((second.snapshot() as CardReaderWear).cardReader['2']).toEqual({ swipes: 1, failures: 1, recent: [false] });
  });

  it('start over, saying why, when the file is corrupt', async () => {
    const state = join(dir, 'b');
    mkdirSync(state);
    writeFileSync(join(state, LIFETIME_FILE), '{"printer": {"cuts": -1}}');
    const counters = await LifetimeCounters.open(state);
    expect(counters.loadProblem).toMatch(new RegExp(`^${join(state, LIFETIME_FILE)}: `));
    expect(counters.readings()['printer.cuts_total']).toBe(0);
    await counters.save();
    expect(JSON.parse(readFileSync(join(state, LIFETIME_FILE), 'utf8')).printer.cuts).toBe(0);
  });

  it('count discharge as cycles and keep one capacity sample per day', async () => {
    const counters = await LifetimeCounters.open(join(dir, 'none'));
    const levels = [100, 80, 60, 70, 50, 20];
    levels.forEach((level, i) =>
      counters.observe({ 'battery.level_pct': level, 'battery.status': i === 3 ? 'charging' : 'discharging', 'battery.capacity_health_pct': 90 - i }, T0 + i * 3_600_000),
    );
    // 20 + 20 (charging to 70 adds nothing) + 20 + 30 = 90 % discharged.
    expect(counters.readings()['battery.cycles_estimated']).toBe(0.9);
    expect((counters.snapshot() as BatteryWear).battery.capacity).toEqual([{ at: T0 + 5 * 3_600_000, pct: 85 }]);
  });

  it('derive a capacity trend over a month, and the rule raises maintenance.battery_fading from it', async () => {
    const counters = await LifetimeCounters.open(join(dir, 'none'));
    for (let day = 0; day <= 30; day++) counters.observe({ 'battery.capacity_health_pct': 90 - day * 0.1 }, T0 + day * DAY);
    expect(counters.readings()['battery.capacity_fade_pct_per_month']).toBeCloseTo(3, 5);
    const engine = new RuleEngine(await loadDefaultRules(), { catalog: FAULT_CATALOG });
    expect(engine.evaluate(counters.readings(), T0 + 30 * DAY).map((e) => e.code)).toEqual(['maintenance.battery_fading']);
  });
});

describe('maintenance trends', () => {
  it('need a fortnight and three samples before a capacity trend is told', () => {
    expect(capacityFadePerMonth([{ at: 0, pct: 90 }, { at: 13 * DAY, pct: 80 }, { at: 13 * DAY + 1, pct: 80 }])).toBeNull();
    expect(capacityFadePerMonth([{ at: 0, pct: 90 }, { at: 15 * DAY, pct: 90 }, { at: 30 * DAY, pct: 90 }])).toBeCloseTo(0, 10);
  });

  it('compare the latest 50 swipes with the earlier ones, only once there is a baseline', () => {
    const recent = Array.from({ length: 50 }, (_, i) => i >= 5); // 5 failures of 50: 10 %
    expect(failureRisePoints({ swipes: 99, failures: 5, recent })).toBeNull();
    expect(failureRisePoints({ swipes: 150, failures: 6, recent })).toBeCloseTo(9, 10); // earlier: 1 of 100
  });
});
