import { describe, expect, it } from 'vitest';
import type { ReadingProblem, Readings } from '../../../src/core/readings.js';
import { BATTERY_RANGES } from '../../../src/devices/battery/battery-ranges.js';
import { parseDumpsysBattery } from '../../../src/devices/battery/dumpsys-battery.js';
import { parsePowerSupply } from '../../../src/devices/battery/power-supply.js';

/**
 * Impossible battery values (battery-ranges.ts) at their boundaries, through both parsers: just inside
 * is a reading, just outside is a problem quoting the raw value and no reading of that name.
 */
type Parsed = { readings: Readings; problems: ReadingProblem[] };

/** The reading `name` when `parsed` has it and no problem about it; else the problem's message. */
function outcome(parsed: Parsed, name: string): { reading: unknown } | { problem: string } {
  const problems = parsed.problems.filter((p) => p.reading === name);
  if (problems.length === 0) {
    expect(parsed.readings[name]).toBeDefined();
    return { reading: parsed.readings[name] };
  }
  expect(problems).toHaveLength(1);
  expect(parsed.readings[name]).toBeUndefined();
  return { problem: problems[0]!.message };
}

const sysfs = (attrs: Record<string, string>) => parsePowerSupply({ type: 'Battery', present: '1', ...attrs }) as Parsed;
const dumpsys = (lines: Record<string, string>) =>
  parseDumpsysBattery(['Current Battery Service state:', '  present: true', ...Object.entries(lines).map(([k, v]) => `  ${k}: ${v}`)].join('\n'));

describe('the battery range table', () => {
  it('keeps every rule threshold inside the physical ranges, so a real fault stays reachable', () => {
    expect(BATTERY_RANGES['battery.temperature_c'].max).toBeGreaterThan(55);
    expect(BATTERY_RANGES['battery.temperature_c'].min).toBeLessThan(0);
    expect(BATTERY_RANGES['battery.capacity_health_pct'].min).toBeLessThan(60);
  });
});

describe('sysfs power_supply: impossible values are problems with the raw value', () => {
  it.each([
    ['temp', '-400', 'battery.temperature_c', { reading: -40 }],
    ['temp', '-401', 'battery.temperature_c', { problem: 'temp: -401 = -40.1 °C is outside -40..100 °C: no battery survives that: a broken sensor' }],
    ['temp', '1000', 'battery.temperature_c', { reading: 100 }],
    ['temp', '1001', 'battery.temperature_c', { problem: 'temp: 1001 = 100.1 °C is outside -40..100 °C: no battery survives that: a broken sensor' }],
    ['temp', '9000', 'battery.temperature_c', { problem: 'temp: 9000 = 900 °C is outside -40..100 °C: no battery survives that: a broken sensor' }],
    ['voltage_now', '1000000', 'battery.voltage_v', { reading: 1 }],
    ['voltage_now', '999999', 'battery.voltage_v', { problem: 'voltage_now: 999999 = 0.999999 V is outside 1..30 V: not the voltage of a battery that is present' }],
    ['voltage_now', '0', 'battery.voltage_v', { problem: 'voltage_now: 0 is outside 1..30 V: not the voltage of a battery that is present' }],
    ['voltage_now', '30000000', 'battery.voltage_v', { reading: 30 }],
    ['voltage_now', '30001000', 'battery.voltage_v', { problem: 'voltage_now: 30001000 = 30.001 V is outside 1..30 V: not the voltage of a battery that is present' }],
    ['capacity', '0', 'battery.level_pct', { reading: 0 }],
    ['capacity', '100', 'battery.level_pct', { reading: 100 }],
    ['capacity', '101', 'battery.level_pct', { problem: 'capacity: 101 is outside 0..100 %: not a charge level' }],
    ['capacity', '150', 'battery.level_pct', { problem: 'capacity: 150 is outside 0..100 %: not a charge level' }],
    ['capacity', '-1', 'battery.level_pct', { problem: 'capacity: -1 is outside 0..100 %: not a charge level' }],
    ['cycle_count', '20000', 'battery.cycle_count', { reading: 20000 }],
    ['cycle_count', '20001', 'battery.cycle_count', { problem: 'cycle_count: 20001 is outside 1..20000 cycles: more cycles than any cell lives' }],
  ] as const)('%s = %s', (attr, raw, name, want) => {
    expect(outcome(sysfs({ [attr]: raw }), name)).toEqual(want);
  });

  it('takes nothing but present=false from a removed battery: its 0 V and open thermistor are no problem', () => {
    const parsed = sysfs({ present: '0', voltage_now: '0', temp: '-2731', capacity: '0', status: 'Not charging' });
    expect(parsed.readings).toEqual({ 'battery.present': false });
    expect(parsed.problems).toEqual([]);
  });

  it('keeps the other readings of a battery with one impossible value', () => {
    const parsed = sysfs({ temp: '9000', capacity: '150', voltage_now: '0', status: 'Discharging', health: 'Good' });
    expect(parsed.readings).toEqual({ 'battery.present': true, 'battery.status': 'discharging', 'battery.health': 'good' });
    expect(parsed.problems.map((p) => p.reading).sort()).toEqual(['battery.level_pct', 'battery.temperature_c', 'battery.voltage_v']);
  });
});

describe('sysfs power_supply: capacity figures that contradict each other', () => {
  const health = (attrs: Record<string, string>) => outcome(sysfs(attrs), 'battery.capacity_health_pct');
  const design = { charge_full_design: '2800000' };

  it('full ÷ design: 130 % is a reading, 130.036 % a problem; so is a full charge of 0', () => {
    expect(health({ ...design, charge_full: '3640000' })).toEqual({ reading: 130 });
    expect(health({ ...design, charge_full: '3643000' })).toEqual({
      problem: 'charge_full 3643000 / charge_full_design 2800000 = 130.107 % is outside 1..130 %: full and design capacity contradict each other',
    });
    expect(health({ ...design, charge_full: '3641000' })).toMatchObject({ problem: expect.stringContaining('= 130.036 % is outside') });
    expect(health({ ...design, charge_full: '28000' })).toEqual({ reading: 1 });
    expect(health({ ...design, charge_full: '27999' })).toMatchObject({ problem: expect.stringContaining('= 0.999964 % is outside') });
    expect(health({ ...design, charge_full: '0' })).toEqual({
      problem: 'charge_full 0 / charge_full_design 2800000 = 0 % is outside 1..130 %: full and design capacity contradict each other',
    });
  });

  it('charge_now may top charge_full by 25 %, not more', () => {
    expect(health({ ...design, charge_full: '2000000', charge_now: '2500000' })).toEqual({ reading: 71.4 });
    expect(health({ ...design, charge_full: '2000000', charge_now: '2500001' })).toEqual({
      problem: 'charge_now 2500001 exceeds charge_full 2000000 by more than 25 %: the full figure is wrong',
    });
    expect(health({ energy_full_design: '10360000', energy_full: '2000000', energy_now: '9000000' })).toMatchObject({
      problem: expect.stringContaining('energy_now 9000000 exceeds energy_full 2000000'),
    });
  });

  it('charge and energy wear may differ by 20 points, not more', () => {
    const both = { ...design, charge_full: '2660000', energy_full_design: '10360000' };
    expect(health({ ...both, energy_full: '7770000' })).toEqual({ reading: 95 });
    expect(health({ ...both, energy_full: '7759640' })).toEqual({
      problem: 'charge_full 2660000 / charge_full_design 2800000 = 95 % but energy_full 7759640 / energy_full_design 10360000 = 74.9 %: charge and energy disagree',
    });
  });

  it('energy alone is checked like charge alone', () => {
    expect(health({ energy_full_design: '10360000', energy_full: '15000000' })).toMatchObject({ problem: expect.stringContaining('= 144.788 % is outside 1..130 %') });
  });
});

describe('dumpsys battery: impossible values are problems with the raw value (tenths of °C, mV)', () => {
  it.each([
    ['temperature', '-400', 'battery.temperature_c', { reading: -40 }],
    ['temperature', '-401', 'battery.temperature_c', { problem: 'temperature: -401 = -40.1 °C is outside -40..100 °C: no battery survives that: a broken sensor' }],
    ['temperature', '1000', 'battery.temperature_c', { reading: 100 }],
    ['temperature', '1001', 'battery.temperature_c', { problem: 'temperature: 1001 = 100.1 °C is outside -40..100 °C: no battery survives that: a broken sensor' }],
    ['temperature', '9000', 'battery.temperature_c', { problem: 'temperature: 9000 = 900 °C is outside -40..100 °C: no battery survives that: a broken sensor' }],
    ['voltage', '1000', 'battery.voltage_v', { reading: 1 }],
    ['voltage', '999', 'battery.voltage_v', { problem: 'voltage: 999 = 0.999 V is outside 1..30 V: not the voltage of a battery that is present' }],
    ['voltage', '0', 'battery.voltage_v', { problem: 'voltage: 0 is outside 1..30 V: not the voltage of a battery that is present' }],
    ['voltage', '30000', 'battery.voltage_v', { reading: 30 }],
    ['voltage', '30001', 'battery.voltage_v', { problem: 'voltage: 30001 = 30.001 V is outside 1..30 V: not the voltage of a battery that is present' }],
    ['level', '100', 'battery.level_pct', { reading: 100 }],
    ['level', '101', 'battery.level_pct', { problem: 'level: 101/100 = 101 % is outside 0..100 %: not a charge level' }],
    ['level', '-1', 'battery.level_pct', { problem: 'level: -1/100 = -1 % is outside 0..100 %: not a charge level' }],
  ] as const)('%s = %s', (key, raw, name, want) => {
    expect(outcome(dumpsys({ scale: '100', [key]: raw }), name)).toEqual(want);
  });

  it('reads the level against the printed scale', () => {
    expect(outcome(dumpsys({ scale: '255', level: '255' }), 'battery.level_pct')).toEqual({ reading: 100 });
    expect(outcome(dumpsys({ scale: '255', level: '256' }), 'battery.level_pct')).toEqual({ problem: 'level: 256/255 = 100.392 % is outside 0..100 %: not a charge level' });
  });

  it('a removed battery reports no problem for its zeros', () => {
    const parsed = parseDumpsysBattery('  present: false\n  voltage: 0\n  temperature: 0\n  level: 0\n');
    expect(parsed).toMatchObject({ readings: { 'battery.present': false }, problems: [] });
  });
});
