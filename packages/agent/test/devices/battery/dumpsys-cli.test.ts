import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { selfTestResultSchema } from 'posdiag-protocol';
import { runPosdiag } from '../../helpers/cli-process.js';

/**
 * `posdiag self-test --level quick --json` as a real process with `battery.source: "dumpsys"`: the
 * configured command is `cat` of a vendor's recorded output, and `paths.sysfs` a recorded
 * `/sys/class/power_supply/battery` (or nothing), so the whole path config → driver → rules → result runs.
 */
const FIXTURES = join(import.meta.dirname, '..', '..', '..', 'fixtures', 'dumpsys');
const dir = mkdtempSync(join(tmpdir(), 'posdiag-dumpsys-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function selfTest(name: string, command: string[], sysfs = join(dir, 'no-sysfs')) {
  const file = join(dir, `${name}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      terminal: { id: 'T-DUMPSYS', model: 'P2', serial: 'SN-1' },
      paths: { sysfs, state: join(dir, name, 'state'), logs: join(dir, name, 'logs') },
      devices: { battery: { source: 'dumpsys', command } },
      control: { socket: join(dir, name, 'control.sock') },
      locale: 'en',
    }),
  );
  const result = await runPosdiag(['self-test', '--level', 'quick', '--json', '--config', file]);
  return { code: result.code, json: selfTestResultSchema.parse(JSON.parse(result.stdout)) };
}
const fixture = (name: string) => ['cat', join(FIXTURES, name)];
const live = (faults: { code: string; inhibitedBy: string | null }[]) => faults.filter((f) => f.inhibitedBy === null).map((f) => f.code).sort();

describe('posdiag self-test with dumpsys battery (process)', () => {
  it.concurrent('Android 14 charging on AC passes with every reading', async () => {
    const { code, json } = await selfTest('a14', fixture('android14-charging.txt'));
    expect(json.readings).toEqual({
      'battery.present': true, 'power.ac_online': true, 'battery.level_pct': 62, 'battery.status': 'charging',
      'battery.health': 'good', 'battery.temperature_c': 31.8, 'battery.voltage_v': 4.081,
      'battery.charging_state': 'normal', 'battery.charging_policy': 'default', 'battery.capacity_level': 'normal',
    });
    expect(json.checks).toEqual([{ device: 'battery', name: 'status', passed: true, detail: 'ok' }]);
    expect(code).toBe(0);
  });

  it.concurrent('Samsung full on AC and Xiaomi charging pass despite vendor lines', async () => {
    const [samsung, xiaomi] = await Promise.all([
      selfTest('samsung', fixture('samsung-full-on-ac.txt')),
      selfTest('xiaomi', fixture('xiaomi-hyperos-odd-counter.txt')),
    ]);
    expect(samsung.json.readings).toMatchObject({ 'battery.status': 'full', 'battery.level_pct': 100, 'battery.temperature_c': 27.5 });
    expect(xiaomi.json.readings).toMatchObject({ 'battery.status': 'charging', 'battery.level_pct': 86, 'battery.voltage_v': 4.342 });
    expect([samsung.code, xiaomi.code, samsung.json.faults.length, xiaomi.json.faults.length]).toEqual([0, 0, 0, 0]);
  });

  it.concurrent('old AOSP discharging at 18 % fails with battery.low', async () => {
    const { code, json } = await selfTest('lollipop', fixture('aosp-lollipop.txt'));
    expect(live(json.faults)).toEqual(['battery.low']);
    expect(json.checks[0]).toMatchObject({ device: 'battery', passed: false });
    expect(code).toBe(1);
  });

  it.concurrent('a POS on mains not charging, with a worn pack in sysfs, gives not_charging and worn', async () => {
    const { code, json } = await selfTest('pos', fixture('pos-duplicate-keys.txt'), join(FIXTURES, 'sysfs-worn'));
    expect(json.readings).toMatchObject({ 'battery.status': 'not_charging', 'battery.capacity_health_pct': 76, 'battery.cycle_count': 412 });
    expect(live(json.faults)).toEqual(['battery.not_charging', 'battery.worn']);
    expect(code).toBe(1);
  });

  it.concurrent('impossible values (900 °C, 150 %, present at 0 V, not charging on AC) raise no fault; each raw value is a problem', async () => {
    const { code, json } = await selfTest('impossible', fixture('impossible-values.txt'));
    expect(json.faults).toEqual([]);
    expect(json.readings).toEqual({ 'battery.present': true, 'power.ac_online': true, 'battery.status': 'not_charging', 'battery.health': 'good' });
    expect(json.problems).toEqual([
      { device: 'battery', reading: 'battery.level_pct', message: 'level: 150/100 = 150 % is outside 0..100 %: not a charge level' },
      { device: 'battery', reading: 'battery.temperature_c', message: 'temperature: 9000 = 900 °C is outside -40..100 °C: no battery survives that: a broken sensor' },
      { device: 'battery', reading: 'battery.voltage_v', message: 'voltage: 0 is outside 1..30 V: not the voltage of a battery that is present' },
    ]);
    expect(code).toBe(0);
  });

  it.concurrent('a failing dumpsys is a reading error: no battery readings, no crash', async () => {
    const { code, json } = await selfTest('fails', ['sh', '-c', 'echo "Can\'t find service: battery" >&2; exit 1']);
    expect(json.readings).toEqual({});
    expect(json.checks.map((c) => c.device)).toEqual(['battery']);
    expect([0, 1]).toContain(code);
  });
});
