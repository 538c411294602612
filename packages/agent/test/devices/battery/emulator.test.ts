import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from 'posdiag-protocol';
import { SysfsBatteryDriver } from '../../../src/devices/battery/sysfs-driver.js';
import { silentLogger } from '../../../src/log/logger.js';
import { createSysfsBattery, type SysfsBattery } from '../../../src/devices/battery/emulator/sysfs-battery.js';

let root: string;
let battery: SysfsBattery;
const read = () =>
  new SysfsBatteryDriver({ source: 'sysfs' }, { sysfs: root }, { clock: systemClock, log: silentLogger }).poll(
    new AbortController().signal,
  );

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'posdiag-simbat-'));
  battery = createSysfsBattery(root, { levelPct: 42, chargeFull: 2_100_000, chargeFullDesign: 2_800_000 });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('sysfs battery emulator', () => {
  it('writes a tree the real driver reads, with the kernel words and units', async () => {
    expect(readFileSync(join(battery.batteryDir, 'status'), 'utf8')).toBe('Discharging\n');
    expect(readFileSync(join(battery.batteryDir, 'uevent'), 'utf8')).toContain('POWER_SUPPLY_CAPACITY=42\n');
    const observation = await read();
    expect(observation.readings).toEqual({
      'battery.present': true,
      'battery.level_pct': 42,
      'battery.status': 'discharging',
      'battery.health': 'good',
      'battery.temperature_c': 30,
      'battery.voltage_v': 3.9,
      'battery.capacity_health_pct': 75,
      'battery.cycle_count': 120,
      'power.ac_online': false,
    });
    expect(observation.identity).toEqual({
      kind: 'battery', vendor: 'PosCell', model: 'PC-2800', serial: 'SIM0001', address: 'class/power_supply/BAT0',
    });
  });

  it('setters change what the driver reads, per-attribute files and uevent alike', async () => {
    battery.setLevel(19);
    battery.setAcOnline(true);
    battery.setStatus('not_charging');
    battery.setHealth('failure');
    battery.setTemperature(-2.5);
    const readings = (await read()).readings;
    expect(readings).toMatchObject({
      'battery.level_pct': 19,
      'battery.status': 'not_charging',
      'battery.health': 'failure',
      'battery.temperature_c': -2.5,
      'power.ac_online': true,
    });
    expect(readFileSync(join(battery.batteryDir, 'uevent'), 'utf8')).toContain('POWER_SUPPLY_HEALTH=Unspecified failure\n');
    expect(battery.state.levelPct).toBe(19);
  });

  it('a pulled battery keeps only present=0; putting it back restores every attribute', async () => {
    battery.setPresent(false);
    expect((await read()).readings).toEqual({ 'battery.present': false, 'power.ac_online': false });
    battery.setPresent(true);
    expect((await read()).readings['battery.level_pct']).toBe(42);
  });

  it('writeRaw injects garbage that the driver reports as a problem; the next setter repairs it', async () => {
    battery.writeRaw('BAT0', 'capacity', 'abc');
    const broken = await read();
    expect(broken.readings['battery.level_pct']).toBeUndefined();
    expect(broken.problems?.map((p) => p.reading)).toEqual(['battery.level_pct']);
    battery.setLevel(18);
    expect((await read()).readings['battery.level_pct']).toBe(18);
  });

  it('replaces files by rename: a reader that opened the old file still reads the whole old value', async () => {
    // With an in-place rewrite the open descriptor would see the new or a truncated value instead.
    const handle = await open(join(battery.batteryDir, 'capacity'), 'r');
    try {
      battery.setLevel(7);
      expect(await handle.readFile('utf8')).toBe('42\n');
    } finally {
      await handle.close();
    }
    expect(readFileSync(join(battery.batteryDir, 'capacity'), 'utf8')).toBe('7\n');
    expect(readdirSync(battery.batteryDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
