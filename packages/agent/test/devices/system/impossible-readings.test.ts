import { describe, expect, it } from 'vitest';
import { diskFree } from '../../../src/devices/system/disk-free.js';
import { parseMeminfo } from '../../../src/devices/system/meminfo.js';
import { parseThermalZones } from '../../../src/devices/system/thermal.js';

/**
 * The system family's impossible values (system-ranges.ts) at their boundaries: just inside is a
 * reading, just outside is a problem quoting the raw value and no reading of that name.
 */
const zone = (temp: string) => parseThermalZones([{ zone: 'thermal_zone0', type: 'cpu_thermal', temp }]);

describe('CPU thermal zones (millidegrees)', () => {
  it.each([
    ['-40000', -40],
    ['150000', 150],
    ['45500', 45.5],
    // Old vendor kernels give whole degrees.
    ['45', 45],
    ['150', 150],
  ])('%s is a reading of %d °C', (temp, celsius) => {
    expect(zone(temp)).toMatchObject({ readings: { 'system.cpu_temp_c': celsius }, problems: [] });
  });

  it.each([
    ['-40001', 'thermal_zone0/temp: -40001 = -40.001 °C is outside -40..150 °C: not a temperature a working CPU sensor reports'],
    ['150001', 'thermal_zone0/temp: 150001 = 150.001 °C is outside -40..150 °C: not a temperature a working CPU sensor reports'],
    ['-273150', 'thermal_zone0/temp: -273150 = -273.15 °C is outside -40..150 °C: not a temperature a working CPU sensor reports'],
    ['255000', 'thermal_zone0/temp: 255000 = 255 °C is outside -40..150 °C: not a temperature a working CPU sensor reports'],
    ['151', 'thermal_zone0/temp: 151 is outside -40..150 °C: not a temperature a working CPU sensor reports'],
    ['0', 'thermal_zone0/temp: 0: the zone is disabled or was never updated'],
  ])('%s is a problem with the raw value, and no reading', (temp, message) => {
    expect(zone(temp)).toEqual({ readings: {}, problems: [{ reading: 'system.cpu_temp_c', message }], evidence: {} });
  });

  it('an impossible zone does not stand in for the hottest one, nor hide the others', () => {
    const got = parseThermalZones([
      { zone: 'thermal_zone0', type: 'cpu-0', temp: '900000' },
      { zone: 'thermal_zone1', type: 'cpu-1', temp: '61000' },
    ]);
    expect(got.readings).toEqual({ 'system.cpu_temp_c': 61 });
    expect(got.problems.map((p) => p.message)).toEqual([expect.stringContaining('900000 = 900 °C is outside')]);
  });
});

describe('meminfo', () => {
  it('MemAvailable equal to MemTotal is 100 %; one kB more is a problem quoting both', () => {
    expect(parseMeminfo('MemTotal: 1000 kB\nMemAvailable: 1000 kB\n')).toEqual({ readings: { 'system.mem_available_pct': 100 }, problems: [] });
    expect(parseMeminfo('MemTotal: 1000 kB\nMemAvailable: 1001 kB\n')).toEqual({
      readings: {},
      problems: [{ reading: 'system.mem_available_pct', message: 'meminfo: MemAvailable 1001 kB / MemTotal 1000 kB = 100.1 % is outside 0..100 %: more memory available than there is' }],
    });
  });

  it('checks the old kernels\' estimate the same way', () => {
    const got = parseMeminfo('MemTotal: 1000 kB\nMemFree: 900 kB\nBuffers: 100 kB\nCached: 1 kB\n');
    expect(got.readings).toEqual({});
    expect(got.problems[0]!.message).toBe('meminfo: MemFree + Buffers + Cached 1001 kB / MemTotal 1000 kB = 100.1 % is outside 0..100 %: more memory available than there is');
  });
});

describe('disk free', () => {
  const stat = (bavail: number) => async () => ({ bavail, blocks: 1000 });

  it('bavail equal to blocks is 100 %; more is a problem quoting both', async () => {
    expect((await diskFree(['/data'], stat(1000))).readings).toEqual({ 'system.disk_free_pct': 100 });
    const got = await diskFree(['/data'], stat(1001));
    expect(got.readings).toEqual({});
    expect(got.problems).toEqual([
      { reading: 'system.disk_free_pct', message: 'statfs /data: bavail 1001 / blocks 1000 = 100.1 % is outside 0..100 %: more blocks free than the filesystem has' },
    ]);
  });
});
