import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../../src/config/schema.js';
import { systemClock } from 'posdiag-protocol';
import { parseDumpsysBattery } from '../../../src/devices/battery/dumpsys-battery.js';
import { DumpsysBatteryDriver } from '../../../src/devices/battery/dumpsys-driver.js';
import { createDrivers } from '../../../src/devices/registry.js';
import { silentLogger } from '../../../src/log/logger.js';

const FIXTURES = join(import.meta.dirname, '..', '..', '..', 'fixtures', 'dumpsys');
const NO_SYSFS = join(FIXTURES, 'no-such-sysfs');
const ctx = { clock: systemClock, log: silentLogger };

interface Expected {
  readings: Record<string, unknown>;
  problemReadings?: string[];
  updatesStopped?: boolean;
}
const expected = JSON.parse(readFileSync(join(FIXTURES, 'expected.json'), 'utf8')) as Record<string, Expected>;
const fixtureFiles = readdirSync(FIXTURES).filter((f) => f.endsWith('.txt')).sort();

const tmp = mkdtempSync(join(tmpdir(), 'posdiag-dumpsys-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function driver(command: string[], sysfs = NO_SYSFS, timeout?: string) {
  return new DumpsysBatteryDriver({ source: 'dumpsys', command, ...(timeout ? { timeout } : {}) }, { sysfs }, ctx);
}
const poll = (d: DumpsysBatteryDriver, signal = new AbortController().signal) => d.poll(signal);
const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const problemReadings = (problems: { reading?: string }[] | undefined) => (problems ?? []).map((p) => p.reading).sort();

describe('parseDumpsysBattery over vendor fixtures', () => {
  it('has an expectation for every fixture', () => {
    expect(Object.keys(expected).sort()).toEqual(fixtureFiles);
  });

  for (const file of fixtureFiles) {
    it(file, () => {
      const want = expected[file]!;
      const got = parseDumpsysBattery(readFileSync(join(FIXTURES, file), 'utf8'));
      expect(got.readings).toEqual(want.readings);
      expect(problemReadings(got.problems)).toEqual(want.problemReadings ?? []);
      expect(got.updatesStopped).toBe(want.updatesStopped ?? false);
    });
  }
});

describe('parseDumpsysBattery edge cases', () => {
  const aosp = readFileSync(join(FIXTURES, 'aosp-oreo-usb-charging.txt'), 'utf8');

  it('reads CRLF output (adb shell on a pty) the same as LF', () => {
    expect(parseDumpsysBattery(aosp.replace(/\n/g, '\r\n')).readings).toEqual(parseDumpsysBattery(aosp).readings);
  });

  it('takes the first of duplicate keys in another case, whatever its indentation', () => {
    const { readings } = parseDumpsysBattery('  Level: 12\nCurrent Battery Service state:\n  level: 90\n\tSTATUS: 5\n  status: 2\n');
    expect(readings).toEqual({ 'battery.level_pct': 12, 'battery.status': 'full' });
  });

  it('takes a missing scale as 100 and rejects a zero scale', () => {
    expect(parseDumpsysBattery('  level: 42\n').readings).toEqual({ 'battery.level_pct': 42 });
    const zero = parseDumpsysBattery('  level: 42\n  scale: 0\n');
    expect(zero.readings).toEqual({});
    expect(zero.problems).toEqual([{ reading: 'battery.level_pct', message: 'scale: "0" is not a positive integer' }]);
  });

  it('leaves the Android 14 fields absent when the HAL says invalid / unsupported', () => {
    const { readings, problems } = parseDumpsysBattery('  Charging state: 0\n  Charging policy: 0\n  Capacity level: -1\n  present: true\n');
    expect(readings).toEqual({ 'battery.present': true });
    expect(problems).toEqual([]);
  });

  it('reports true power when one plug kind is true even if another is garbage', () => {
    expect(parseDumpsysBattery('  AC powered: maybe\n  USB powered: true\n').readings).toEqual({ 'power.ac_online': true });
    expect(problemReadings(parseDumpsysBattery('  AC powered: maybe\n  USB powered: false\n').problems)).toEqual(['power.ac_online']);
  });

  it('names the foreign output in the problem, quoted and cut short', () => {
    const { problems } = parseDumpsysBattery(`Can't find service: battery\n`);
    expect(problems).toEqual([{ reading: 'battery.present', message: `dumpsys battery: no battery fields in output "Can't find service: battery"` }]);
    expect(parseDumpsysBattery('').problems).toHaveLength(1);
    expect(parseDumpsysBattery('x'.repeat(5000)).problems[0]!.message.length).toBeLessThan(120);
  });
});

describe('DumpsysBatteryDriver', () => {
  it('runs the configured command and reads its output', async () => {
    const obs = await poll(driver(['cat', join(FIXTURES, 'android14-charging.txt')]));
    expect(obs.readings).toEqual(expected['android14-charging.txt']!.readings);
    expect(obs.problems).toEqual([]);
    expect(obs.evidence).toBeUndefined();
  });

  it('adds wear and cycle count from <sysfs>/class/power_supply/battery, and nothing else from there', async () => {
    const obs = await poll(driver(['cat', join(FIXTURES, 'pos-duplicate-keys.txt')], join(FIXTURES, 'sysfs-worn')));
    expect(obs.readings).toEqual({
      ...expected['pos-duplicate-keys.txt']!.readings,
      'battery.capacity_health_pct': 76,
      'battery.cycle_count': 412,
    });
    // sysfs says Charging at 62 %; dumpsys is the source of truth for everything it prints.
    expect(obs.readings['battery.status']).toBe('not_charging');
  });

  it('reports garbage in the sysfs supplement as a problem on that reading', async () => {
    const obs = await poll(driver(['cat', join(FIXTURES, 'aosp-lollipop.txt')], join(FIXTURES, 'sysfs-garbage')));
    expect(obs.readings['battery.capacity_health_pct']).toBe(75);
    expect(obs.readings['battery.cycle_count']).toBeUndefined();
    expect(problemReadings(obs.problems)).toEqual(['battery.cycle_count']);
  });

  it('ignores sysfs files it cannot read (the usual SELinux case on Android)', async () => {
    const root = join(tmp, 'unreadable');
    cpSync(join(FIXTURES, 'sysfs-worn'), root, { recursive: true });
    const dir = join(root, 'class', 'power_supply', 'battery');
    rmSync(join(dir, 'cycle_count'));
    mkdirSync(join(dir, 'cycle_count')); // reading a directory fails with EISDIR, even as root
    rmSync(join(dir, 'uevent'));
    const obs = await poll(driver(['cat', join(FIXTURES, 'aosp-lollipop.txt')], root));
    expect(obs.readings['battery.capacity_health_pct']).toBe(76);
    expect(obs.readings['battery.cycle_count']).toBeUndefined();
    expect(obs.problems).toEqual([]);
  });

  it('keeps no wear reading for a removed battery', async () => {
    const obs = await poll(driver(['cat', join(FIXTURES, 'battery-removed.txt')], join(FIXTURES, 'sysfs-worn')));
    expect(obs.readings).toEqual({ 'battery.present': false, 'power.ac_online': true });
  });

  it('marks frozen values as evidence when updates are stopped', async () => {
    const obs = await poll(driver(['cat', join(FIXTURES, 'updates-stopped.txt')]));
    expect(obs.evidence).toEqual({ 'battery.updates_stopped': 'true' });
    expect(obs.readings['battery.level_pct']).toBe(4);
  });

  it('turns a missing program into a reading problem, not a rejection', async () => {
    const obs = await poll(driver([join(tmp, 'no-such-dumpsys'), 'battery']));
    expect(obs.readings['battery.present']).toBeUndefined();
    expect(obs.problems).toEqual([{ reading: 'battery.present', message: `${join(tmp, 'no-such-dumpsys')} battery: program not found` }]);
  });

  it('turns a non-zero exit into a reading problem naming the code and stderr', async () => {
    const obs = await poll(driver(['sh', '-c', `echo "Can't find service: battery" >&2; exit 3`]));
    expect(obs.readings).toEqual({});
    expect(obs.problems).toHaveLength(1);
    expect(obs.problems![0]!.message).toMatch(/exit code 3: Can't find service: battery$/);
  });

  it('turns garbage output into a reading problem', async () => {
    const obs = await poll(driver(['cat', join(FIXTURES, 'garbage.txt')]));
    expect(obs.readings).toEqual({});
    expect(problemReadings(obs.problems)).toEqual(['battery.present']);
  });

  it('kills a command that outlives the timeout and reports it before the poll itself would time out', async () => {
    const obs = await poll(driver(['sleep', '30'], NO_SYSFS, '300ms'));
    expect(obs.problems).toEqual([{ reading: 'battery.present', message: 'sleep 30: no answer within 240 ms' }]);
  });

  it('rejects with the abort reason and kills the child when its signal is aborted', async () => {
    const pidFile = join(tmp, 'child.pid');
    const controller = new AbortController();
    const polled = poll(driver(['sh', '-c', `echo $$ > ${pidFile}; exec sleep 30`]), controller.signal);
    while (!existsSync(pidFile) || readFileSync(pidFile, 'utf8').trim() === '') await new Promise((r) => setImmediate(r));
    const reason = new Error('shutdown');
    controller.abort(reason);
    await expect(polled).rejects.toBe(reason);
    // The poll settles as soon as the kill is sent; the child is gone once Node has reaped it.
    const pid = Number(readFileSync(pidFile, 'utf8'));
    while (isAlive(pid)) await new Promise((r) => setTimeout(r, 10));
    expect(isAlive(pid)).toBe(false);
  });

  it('is what the registry builds for battery.source "dumpsys", with dumpsys battery as the default command', async () => {
    const config = configSchema.parse({
      terminal: { id: 'T-1' },
      paths: { sysfs: NO_SYSFS, state: tmp, logs: tmp },
      devices: { battery: { source: 'dumpsys' } },
    });
    const [built] = createDrivers(config, ctx);
    expect(built).toBeInstanceOf(DumpsysBatteryDriver);
    expect(built!.kind).toBe('battery');
    expect(built!.name).toBe('battery');
    // This machine has no dumpsys: the default command is run and fails as a reading problem.
    const obs = await built!.poll(new AbortController().signal);
    expect(obs.problems).toEqual([{ reading: 'battery.present', message: 'dumpsys battery: program not found' }]);
  });
});
