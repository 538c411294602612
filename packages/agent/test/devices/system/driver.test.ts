import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../../src/config/schema.js';
import { systemClock } from 'posdiag-protocol';
import { FakeClock } from '../../../../../test/support/fake-clock.js';
import { createDrivers } from '../../../src/devices/registry.js';
import { ClockSkewTracker } from '../../../src/devices/system/clock-skew.js';
import { diskFree, type FsStats } from '../../../src/devices/system/disk-free.js';
import { parseMeminfo } from '../../../src/devices/system/meminfo.js';
import { readThermalZones } from '../../../src/devices/system/read-thermal.js';
import { SystemDriver } from '../../../src/devices/system/system-driver.js';
import { isCpuZone, parseThermalZones } from '../../../src/devices/system/thermal.js';
import { silentLogger } from '../../../src/log/logger.js';

const FIXTURES = join(import.meta.dirname, '..', '..', '..', 'fixtures');
const PROCFS = join(FIXTURES, 'procfs');
const SYSFS = join(FIXTURES, 'sysfs');
const ctx = { clock: systemClock, log: silentLogger };
const tmp = mkdtempSync(join(tmpdir(), 'posdiag-system-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Expected {
  readings: Record<string, unknown>;
  evidence?: Record<string, string>;
  problemReadings: string[];
}
const expectedOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expected;
const problemReadings = (problems: { reading?: string }[] | undefined) => (problems ?? []).map((p) => p.reading).sort();
const snapshotCases = (root: string, prefix = '') =>
  readdirSync(root).filter((d) => d.startsWith(prefix) && !d.includes('replay')).sort();

/** Fixed sizes per path, so disk_free_pct is exact whatever the real disk holds. */
const fakeStatfs = (sizes: Record<string, FsStats>) => async (path: string) => {
  const size = sizes[path];
  if (size) return size;
  throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
};

describe('parseMeminfo over procfs fixtures', () => {
  const cases = snapshotCases(PROCFS, 'meminfo-');
  it('has the cases the issue names', () => {
    expect(cases).toEqual(expect.arrayContaining(['meminfo-healthy', 'meminfo-memory-low', 'meminfo-old-kernel-no-memavailable', 'meminfo-garbage', 'meminfo-truncated']));
  });
  for (const name of cases) {
    it(name, () => {
      const want = expectedOf(join(PROCFS, name));
      const got = parseMeminfo(readFileSync(join(PROCFS, name, 'meminfo'), 'utf8'));
      expect(got.readings).toEqual(want.readings);
      expect(problemReadings(got.problems)).toEqual(want.problemReadings);
    });
  }

  it('names what is wrong', () => {
    expect(parseMeminfo('').problems).toEqual([{ reading: 'system.mem_available_pct', message: 'meminfo: MemTotal missing' }]);
    expect(parseMeminfo('MemTotal: 0 kB\nMemAvailable: 0 kB\n').problems[0]!.message).toBe('meminfo: MemTotal is 0');
    expect(parseMeminfo('MemTotal: 100 kB\nMemFree: 10 kB\nCached: 5 kB\n').problems[0]!.message).toBe('meminfo: Buffers missing');
    expect(parseMeminfo('MemTotal: 100 kB\nMemAvailable: 1e3 kB\n').problems[0]!.message).toBe('meminfo: MemAvailable: "1e3 kB" is not a size in kB');
  });
});

describe('thermal zones', () => {
  it('tells CPU zones from the rest', () => {
    for (const t of ['x86_pkg_temp', 'cpu_thermal', 'cpu-1-0-usr', 'cpuss-0-usr', 'mtktscpu', 'soc-thermal', 'soc_thermal', 'coretemp', 'k10temp', 'tsens_tz_sensor1', 'BIG', 'LITTLE']) {
      expect(isCpuZone(t), t).toBe(true);
    }
    for (const t of ['acpitz', 'battery', 'soc', 'gpu-thermal', 'pch_skylake', 'xo-therm', undefined]) expect(isCpuZone(t), String(t)).toBe(false);
  });

  it('gives nothing, and no problem, when there are no zones', () => {
    expect(parseThermalZones([])).toEqual({ readings: {}, problems: [], evidence: {} });
  });

  for (const name of snapshotCases(SYSFS, 'thermal-')) {
    it(`reads ${name}`, async () => {
      const want = expectedOf(join(SYSFS, name));
      const got = parseThermalZones(await readThermalZones(join(SYSFS, name)));
      expect(got.readings).toEqual(want.readings);
      expect(got.evidence).toEqual(want.evidence);
      expect(problemReadings(got.problems)).toEqual(want.problemReadings);
    });
  }

  it('names the zone and the bad value in a problem', () => {
    const { problems } = parseThermalZones([
      { zone: 'thermal_zone0', type: 'cpu0', temp: '-273000' },
      { zone: 'thermal_zone1', type: 'cpu1', temp: '' },
    ]);
    expect(problems.map((p) => p.message)).toEqual([
      'thermal_zone0/temp: -273000 = -273 °C is outside -40..150 °C: not a temperature a working CPU sensor reports',
      'thermal_zone1/temp: "" is not an integer',
    ]);
  });
});

describe('diskFree', () => {
  it('reports the lowest of the state and log filesystems, naming it', async () => {
    const stat = fakeStatfs({ '/data/state': { bavail: 400, blocks: 1000 }, '/data/logs': { bavail: 95, blocks: 1000 } });
    expect(await diskFree(['/data/state', '/data/logs'], stat)).toEqual({
      readings: { 'system.disk_free_pct': 9.5 },
      problems: [],
      evidence: { 'system.disk_free_dir': '/data/logs' },
    });
  });

  it('measures a directory not created yet on its nearest existing ancestor', async () => {
    const stat = fakeStatfs({ '/var': { bavail: 1, blocks: 3 } });
    expect((await diskFree(['/var/lib/posdiag/state'], stat)).readings).toEqual({ 'system.disk_free_pct': 33.3 });
  });

  it('keeps the filesystems it can measure when one fails, and skips sizeless ones', async () => {
    const stat = async (path: string): Promise<FsStats> => {
      if (path === '/broken') throw Object.assign(new Error('EIO'), { code: 'EIO' });
      return path === '/proc-like' ? { bavail: 0, blocks: 0 } : { bavail: 50, blocks: 100 };
    };
    const got = await diskFree(['/broken', '/proc-like', '/ok'], stat);
    expect(got.readings).toEqual({ 'system.disk_free_pct': 50 });
    expect(got.problems).toEqual([{ reading: 'system.disk_free_pct', message: 'statfs /broken: EIO' }]);
  });

  it('agrees with df on a real directory', async () => {
    const dir = join(tmp, 'disk');
    mkdirSync(dir);
    const [size, avail] = execFileSync('df', ['-B1', '--output=size,avail', dir], { encoding: 'utf8' }).trim().split('\n')[1]!.trim().split(/\s+/).map(Number);
    const got = (await diskFree([dir])).readings['system.disk_free_pct'] as number;
    // Other processes write meanwhile: agreement within half a percent point, not to the block.
    expect(Math.abs(got - (avail! / size!) * 100)).toBeLessThan(0.5);
  });
});

describe('ClockSkewTracker', () => {
  const setup = () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 1, 12, 0, 0));
    let mono = 1_000;
    const tracker = new ClockSkewTracker({ clock, monotonic: () => mono });
    return { clock, tracker, tick: (ms: number) => ((mono += ms), clock.advance(ms)), jumpWallClock: (ms: number) => clock.advance(ms) };
  };

  it('has no skew before any reference', () => {
    expect(setup().tracker.current()).toBeUndefined();
    expect(setup().tracker.observation()).toEqual({ readings: {} });
  });

  it('measures local − reference from the hub welcome, positive when the terminal is ahead', () => {
    const { tracker } = setup();
    expect(tracker.observeText('hub', '2026-01-01T11:53:20.000Z')).toBe(true);
    expect(tracker.current()).toEqual({ skewS: 400, source: 'hub' });
    // What the monitor gets from the pipeline's clock-skew source: the reading, and which reference as evidence.
    expect(tracker.observation()).toEqual({ readings: { 'system.clock_skew_s': 400 }, evidence: { 'system.clock_reference': 'hub' } });
  });

  it('keeps the skew as time passes, and follows a later wall-clock jump without a new reference', async () => {
    const { tracker, tick, jumpWallClock } = setup();
    tracker.observeText('hub', '2026-01-01T12:06:00.000Z');
    expect(tracker.current()!.skewS).toBe(-360);
    await tick(3_600_000);
    expect(tracker.current()!.skewS).toBe(-360);
    await jumpWallClock(360_000); // NTP finally syncs the terminal
    expect(tracker.current()!.skewS).toBe(0);
  });

  it('takes an HTTP Date, the latest reference wins, and text that is no time is ignored', () => {
    const { tracker } = setup();
    tracker.observeText('hub', '2026-01-01T12:00:00.000Z');
    expect(tracker.observeText('target:acquirer', 'Thu, 01 Jan 2026 12:00:30 GMT')).toBe(true);
    expect(tracker.observeText('target:acquirer', 'yesterday-ish')).toBe(false);
    expect(tracker.current()).toEqual({ skewS: -30, source: 'target:acquirer' });
  });
});

describe('SystemDriver', () => {
  const stat = fakeStatfs({ '/pos/state': { bavail: 700, blocks: 1000 }, '/pos/logs': { bavail: 80, blocks: 1000 } });
  const paths = (procfs: string, sysfs: string) => ({ procfs, sysfs, state: '/pos/state', logs: '/pos/logs' });

  it('reads disk, memory and CPU temperature from fixture trees; clock skew is the pipeline\'s own source beside it', async () => {
    const tracker = new ClockSkewTracker({ clock: systemClock });
    tracker.observe('hub', Date.now() + 600_000);
    const driver = new SystemDriver({}, paths(join(PROCFS, 'meminfo-memory-low'), join(SYSFS, 'thermal-overheat')), ctx, { statfs: stat });
    const obs = await driver.poll(new AbortController().signal);
    const skew = tracker.observation();
    expect({ ...obs.readings, ...skew.readings }).toEqual({
      'system.disk_free_pct': 8,
      'system.mem_available_pct': 7.9,
      'system.cpu_temp_c': 91.3,
      'system.clock_skew_s': expect.closeTo(-600, 0),
    });
    expect({ ...obs.evidence, ...skew.evidence }).toEqual({
      'system.disk_free_dir': '/pos/logs',
      'system.cpu_temp_zone': 'thermal_zone0 (soc-thermal)',
      'system.clock_reference': 'hub',
    });
    expect(obs.readings).not.toHaveProperty('system.clock_skew_s');
    expect(obs.problems).toEqual([]);
    expect(driver).toMatchObject({ kind: 'system', name: 'system', intervalMs: 30_000, timeoutMs: 5_000 });
  });

  it('reports each missing part as a problem and keeps the others', async () => {
    const obs = await new SystemDriver({}, paths(join(tmp, 'no-procfs'), join(tmp, 'no-sysfs')), ctx, { statfs: stat }).poll(new AbortController().signal);
    expect(obs.readings).toEqual({ 'system.disk_free_pct': 8 });
    expect(obs.problems).toEqual([{ reading: 'system.mem_available_pct', message: 'meminfo: not found' }]);
  });

  it('replays memory and temperature over time, Telegraf-style, keeping nothing between polls', async () => {
    const procRoot = join(tmp, 'replay-proc');
    const sysRoot = join(tmp, 'replay-sys');
    const memory = JSON.parse(readFileSync(join(PROCFS, 'meminfo-replay-leak', 'expected.json'), 'utf8')) as object[];
    const heat = JSON.parse(readFileSync(join(SYSFS, 'thermal-replay-heating', 'expected.json'), 'utf8')) as object[];
    const driver = new SystemDriver({}, paths(procRoot, sysRoot), ctx, { statfs: stat });
    const seen: object[] = [];
    for (let i = 0; i < memory.length; i++) {
      for (const [root, source] of [[procRoot, join(PROCFS, 'meminfo-replay-leak', `proc${i}`)], [sysRoot, join(SYSFS, 'thermal-replay-heating', `proc${i}`)]] as const) {
        symlinkSync(source, `${root}.next`);
        renameSync(`${root}.next`, root);
      }
      const { readings } = await driver.poll(new AbortController().signal);
      seen.push({ 'system.mem_available_pct': readings['system.mem_available_pct'], 'system.cpu_temp_c': readings['system.cpu_temp_c'] });
    }
    expect(seen).toEqual(memory.map((m, i) => ({ ...m, ...heat[i] })));
  });

  it('is what the registry builds for devices.system, reading the real paths config names', async () => {
    const config = configSchema.parse({
      terminal: { id: 'T-1' },
      paths: { procfs: join(PROCFS, 'meminfo-healthy'), sysfs: join(SYSFS, 'thermal-x86'), state: tmp, logs: join(tmp, 'logs-not-yet') },
      devices: { system: { interval: '1m' } },
    });
    const tracker = new ClockSkewTracker({ clock: systemClock });
    tracker.observe('hub', Date.now());
    const [driver] = createDrivers(config, ctx, { clockReferences: true });
    expect(driver).toBeInstanceOf(SystemDriver);
    expect(driver!.intervalMs).toBe(60_000);
    const obs = await driver!.poll(new AbortController().signal);
    expect(existsSync(join(tmp, 'logs-not-yet'))).toBe(false);
    expect({ ...obs.readings, ...tracker.observation().readings }).toMatchObject({ 'system.mem_available_pct': 59.9, 'system.cpu_temp_c': 52, 'system.clock_skew_s': expect.closeTo(0, 0) });
    expect(obs.readings['system.disk_free_pct']).toEqual(expect.any(Number));
  });
});
