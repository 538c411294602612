import { describe, expect, it } from 'vitest';
import { battery } from '../../../src/devices/battery/index.js';
import { batteryWear } from '../../../src/devices/battery/wear.js';
import type { Readings } from '../../../src/core/readings.js';

const HOUR = 3_600_000;
const observed = (list: Readings[]) => list.reduce((state, readings, i) => batteryWear.observe!(state, readings, i * HOUR), batteryWear.empty());

describe('the battery\'s wear', () => {
  it('comes from its readings, not from an event: discharge while discharging, one capacity sample a day', () => {
    expect(battery.wear).toBe(batteryWear);
    expect(batteryWear.count).toBeUndefined();
    const state = observed([
      { 'battery.level_pct': 90, 'battery.status': 'discharging', 'battery.capacity_health_pct': 88 },
      { 'battery.level_pct': 70, 'battery.status': 'discharging', 'battery.capacity_health_pct': 87 },
      { 'battery.level_pct': 60, 'battery.status': 'charging' },
      { 'network.eth0.up': true },
    ]);
    expect(state.battery).toEqual({ dischargedPct: 20, lastLevelPct: 60, capacity: [{ at: HOUR, pct: 87 }] });
    expect(batteryWear.readings(state)).toEqual({ 'battery.cycles_estimated': 0.2 });
  });

  it('leaves the counters it is given as they were', () => {
    const before = batteryWear.empty();
    batteryWear.observe!(before, { 'battery.level_pct': 50, 'battery.capacity_health_pct': 80 }, 0);
    expect(before).toEqual(batteryWear.empty());
  });
});
