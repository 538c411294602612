import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/load.js';
import { systemClock } from 'posdiag-protocol';
import type { Observation } from '../../../src/core/readings.js';
import { parseAcOnline, parsePowerSupply } from '../../../src/devices/battery/power-supply.js';
import { SysfsBatteryDriver, type SysfsBatteryConfig } from '../../../src/devices/battery/sysfs-driver.js';
import { silentLogger } from '../../../src/log/logger.js';

const FIXTURES = join(import.meta.dirname, '..', '..', '..', 'fixtures', 'sysfs');
const ctx = { clock: systemClock, log: silentLogger };
const poll = (sysfs: string, config: Partial<SysfsBatteryConfig> = {}): Promise<Observation> =>
  new SysfsBatteryDriver({ source: 'sysfs', ...config }, { sysfs }, ctx).poll(new AbortController().signal);

interface Expected {
  readings: Record<string, unknown>;
  problemReadings: string[];
  identity?: Record<string, string>;
}

// fixtures/sysfs is shared with other drivers' trees: a battery case is one with a power_supply class.
const cases = readdirSync(FIXTURES).filter((name) => !name.startsWith('replay-') && existsSync(join(FIXTURES, name, 'class', 'power_supply')));

describe('SysfsBatteryDriver over fixture trees', () => {
  it('has the fixture cases the parser must cover', () => {
    expect(cases.length).toBeGreaterThanOrEqual(12);
  });

  it.each(cases)('%s', async (name) => {
    const expected = JSON.parse(readFileSync(join(FIXTURES, name, 'expected.json'), 'utf8')) as Expected;
    const observation = await poll(join(FIXTURES, name));
    expect(observation.readings).toEqual(expected.readings);
    expect((observation.problems ?? []).map((p) => p.reading).sort()).toEqual(expected.problemReadings);
    if (expected.identity) expect(observation.identity).toEqual(expected.identity);
  });

  it('reads the configured supply, and reports a missing one as absent with a problem', async () => {
    const bat1 = await poll(join(FIXTURES, 'energy-attributes'), { name: 'BAT1' });
    expect(bat1.readings['battery.capacity_health_pct']).toBe(84.4);
    const bat0 = await poll(join(FIXTURES, 'energy-attributes'), { name: 'BAT0' });
    expect(bat0.readings).toEqual({ 'battery.present': false, 'power.ac_online': true });
    expect(bat0.problems).toEqual([{ reading: 'battery.present', message: 'class/power_supply/BAT0 does not exist' }]);
  });

  it('reports a sysfs root without power supplies as no battery, not as a failure', async () => {
    expect((await poll(join(FIXTURES, 'no-such-root'))).readings).toEqual({ 'battery.present': false });
  });

  it('validates config in the constructor and derives its timing from it', () => {
    expect(() => new SysfsBatteryDriver({ source: 'sysfs', name: '../../etc' }, { sysfs: FIXTURES }, ctx)).toThrow(ConfigError);
    const driver = new SysfsBatteryDriver({ source: 'sysfs', interval: '10s', timeout: '750ms' }, { sysfs: FIXTURES }, ctx);
    expect([driver.kind, driver.name, driver.intervalMs, driver.timeoutMs]).toEqual(['battery', 'battery', 10_000, 750]);
    const defaults = new SysfsBatteryDriver({ source: 'sysfs' }, { sysfs: FIXTURES }, ctx);
    expect([defaults.intervalMs, defaults.timeoutMs]).toEqual([30_000, 5_000]);
  });
});

describe('SysfsBatteryDriver with unreadable attribute files', () => {
  let root: string | undefined;
  afterEach(() => root && rmSync(root, { recursive: true, force: true }));

  it('falls back to uevent for an unreadable file, and reports a problem when uevent has no value either', async () => {
    root = mkdtempSync(join(tmpdir(), 'posdiag-battery-'));
    const dir = join(root, 'class', 'power_supply', 'BAT0');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'type'), 'Battery\n');
    // Directories stand in for files whose read fails (EISDIR here, EIO/EINVAL on a real driver).
    mkdirSync(join(dir, 'capacity'));
    mkdirSync(join(dir, 'temp'));
    writeFileSync(join(dir, 'uevent'), 'POWER_SUPPLY_NAME=BAT0\nPOWER_SUPPLY_CAPACITY=33\n');
    const observation = await poll(root);
    expect(observation.readings).toEqual({ 'battery.level_pct': 33 });
    expect(observation.problems).toEqual([
      { reading: 'battery.temperature_c', message: 'class/power_supply/BAT0/temp: EISDIR' },
    ]);
  });
});

describe('parsePowerSupply', () => {
  it.each([
    ['Good', 'good'], ['Overheat', 'overheat'], ['Dead', 'dead'], ['Over voltage', 'over_voltage'],
    ['Unspecified failure', 'failure'], ['Cold', 'cold'], ['Unknown', 'unknown'],
    ['Watchdog timer expire', 'unknown'], ['Safety timer expire', 'unknown'], ['Over current', 'unknown'],
    ['Calibration required', 'unknown'], ['Warm', 'unknown'], ['Hot', 'unknown'],
  ])('maps health %j to %j', (text, health) => {
    expect(parsePowerSupply({ health: text }).readings).toEqual({ 'battery.health': health });
  });

  it.each([
    ['Charging', 'charging'], ['Discharging', 'discharging'], ['Not charging', 'not_charging'], ['Full', 'full'], ['Unknown', 'unknown'],
  ])('maps status %j to %j', (text, status) => {
    expect(parsePowerSupply({ status: text }).readings).toEqual({ 'battery.status': status });
  });

  it('converts units: tenths of °C (also below zero), µV', () => {
    expect(parsePowerSupply({ temp: '-52', voltage_now: '3851234' }).readings).toEqual({
      'battery.temperature_c': -5.2,
      'battery.voltage_v': 3.851,
    });
  });

  it('treats cycle_count 0 and a zero design capacity as unknown (absent)', () => {
    const parsed = parsePowerSupply({ cycle_count: '0', charge_full: '100', charge_full_design: '0' });
    expect(parsed).toEqual({ readings: {}, problems: [] });
  });

  it('uses energy_* when the charge_* pair is incomplete', () => {
    const parsed = parsePowerSupply({ charge_full: '1000', energy_full: '30', energy_full_design: '40' });
    expect(parsed.readings).toEqual({ 'battery.capacity_health_pct': 75 });
  });

  it.each([
    [{ capacity: '150' }, 'battery.level_pct'],
    [{ capacity: '7.5' }, 'battery.level_pct'],
    [{ present: 'yes' }, 'battery.present'],
    [{ status: 'Charging\u0000' }, 'battery.status'],
    [{ health: '\u00ff\u00fe' }, 'battery.health'],
    [{ temp: '' }, 'battery.temperature_c'],
    [{ voltage_now: '1e6' }, 'battery.voltage_v'],
    [{ cycle_count: '-3' }, 'battery.cycle_count'],
    [{ charge_full: 'x', charge_full_design: '100' }, 'battery.capacity_health_pct'],
  ])('reports garbage %j as a problem for %s and leaves the value out', (attrs, reading) => {
    const parsed = parsePowerSupply(attrs);
    expect(parsed.readings).toEqual({});
    expect(parsed.problems).toHaveLength(1);
    expect(parsed.problems[0]!.reading).toBe(reading);
  });

  it('never throws and never reports a mistyped value, whatever the bytes', () => {
    const attrs = ['present', 'capacity', 'status', 'health', 'temp', 'voltage_now', 'cycle_count', 'charge_full', 'charge_full_design'];
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 500; round++) {
      const input = Object.fromEntries(
        attrs.map((a) => [a, Array.from({ length: Math.floor(random() * 6) }, () => String.fromCharCode(Math.floor(random() * 128))).join('')]),
      );
      const { readings } = parsePowerSupply(input);
      for (const [name, value] of Object.entries(readings)) {
        const expectedType = name === 'battery.present' ? 'boolean' : ['battery.status', 'battery.health'].includes(name) ? 'string' : 'number';
        expect(typeof value, `${name} from ${JSON.stringify(input)}`).toBe(expectedType);
        if (typeof value === 'number') expect(Number.isFinite(value)).toBe(true);
      }
    }
  });

  it('names the battery from model_name, manufacturer and serial_number, and only when present', () => {
    expect(parsePowerSupply({ model_name: 'M', manufacturer: 'V', serial_number: 'S' }).identity).toEqual({
      kind: 'battery', vendor: 'V', model: 'M', serial: 'S',
    });
    expect(parsePowerSupply({ capacity: '5' }).identity).toBeUndefined();
  });
});

describe('parseAcOnline', () => {
  it('is true when any external supply is online (USB online 2 = programmable)', () => {
    expect(parseAcOnline([{ type: 'Mains', online: '0' }, { type: 'USB', online: '2' }]).readings).toEqual({ 'power.ac_online': true });
  });

  it('is false only when every external supply cleanly says offline; batteries do not count', () => {
    expect(parseAcOnline([{ type: 'Battery', online: '1' }, { type: 'Wireless', online: '0' }]).readings).toEqual({ 'power.ac_online': false });
  });

  it('is absent with no external supply, and absent with a problem when an offline answer is incomplete', () => {
    expect(parseAcOnline([{ type: 'Battery' }])).toEqual({ readings: {}, problems: [] });
    const partial = parseAcOnline([{ type: 'Mains', online: '0' }, { type: 'USB_C', online: 'zz' }]);
    expect(partial.readings).toEqual({});
    expect(partial.problems.map((p) => p.reading)).toEqual(['power.ac_online']);
  });
});
