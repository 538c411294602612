import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { selfTestResultSchema } from 'posdiag-protocol';
import { runPosdiag } from '../helpers/cli-process.js';

/**
 * `posdiag self-test --level quick --json` as a process, reading fixture trees through paths.sysfs and
 * paths.procfs: each case of issue 5's "done when" for batteries and network links.
 */
const dir = mkdtempSync(join(tmpdir(), 'posdiag-selftest-fixtures-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const fixture = (path: string) => fileURLToPath(new URL(`../../fixtures/${path}`, import.meta.url));

async function selfTest(name: string, paths: { sysfs: string; procfs?: string }, devices: Record<string, unknown>) {
  const file = join(dir, `${name}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      terminal: { id: 'T-FX', model: 'X990', serial: 'SN-FX' },
      paths: { ...paths, state: join(dir, name, 'state'), logs: join(dir, name, 'logs') },
      devices,
      control: { socket: join(dir, 'no-daemon.sock') },
      locale: 'en',
    }),
  );
  const { code, stdout, stderr } = await runPosdiag(['self-test', '--level', 'quick', '--json', '--config', file]);
  expect(stderr).toBe('');
  const result = selfTestResultSchema.parse(JSON.parse(stdout));
  return { code, result, codes: result.faults.filter((f) => f.inhibitedBy === null).map((f) => f.code) };
}

describe('self-test over battery fixtures (process)', () => {
  const battery = { battery: { source: 'sysfs' } };
  it.concurrent('a worn battery: battery.worn, exit 1', async () => {
    const { code, result, codes } = await selfTest('worn', { sysfs: fixture('sysfs/worn') }, battery);
    expect(result.readings['battery.capacity_health_pct']).toBe(75);
    expect(codes).toEqual(['battery.worn']);
    expect(code).toBe(1);
  });
  it.concurrent('charging on AC passes', async () => {
    const { code, result } = await selfTest('charging', { sysfs: fixture('sysfs/charging-on-ac') }, battery);
    expect(result.readings).toMatchObject({ 'battery.status': 'charging', 'power.ac_online': true });
    expect(code).toBe(0);
  });
  it.concurrent('full passes', async () => {
    const { code, result } = await selfTest('full', { sysfs: fixture('sysfs/full') }, battery);
    expect(result.readings['battery.status']).toBe('full');
    expect(code).toBe(0);
  });
  it.concurrent('an impossible battery (900 °C, 150 %, present at 0 V, not charging on AC) raises no fault; each raw value is a problem', async () => {
    const { code, result } = await selfTest('impossible', { sysfs: fixture('sysfs/impossible-values') }, battery);
    expect(result.faults).toEqual([]);
    expect(result.readings).not.toHaveProperty('battery.temperature_c');
    expect(result.readings).not.toHaveProperty('battery.level_pct');
    expect(result.readings).not.toHaveProperty('battery.voltage_v');
    expect(result.problems).toEqual([
      { device: 'battery', reading: 'battery.level_pct', message: 'capacity: 150 is outside 0..100 %: not a charge level' },
      { device: 'battery', reading: 'battery.temperature_c', message: 'temp: 9000 = 900 °C is outside -40..100 °C: no battery survives that: a broken sensor' },
      { device: 'battery', reading: 'battery.voltage_v', message: 'voltage_now: 0 is outside 1..30 V: not the voltage of a battery that is present' },
    ]);
    expect(code).toBe(0);
  });
  it.concurrent('unknown status on AC is reported as unknown, and raises nothing by itself', async () => {
    const { result, codes } = await selfTest('unknown', { sysfs: fixture('sysfs/unknown-status-on-ac') }, battery);
    expect(result.readings['battery.status']).toBe('unknown');
    expect(codes.filter((c) => c.startsWith('battery.'))).toEqual([]);
  });
});

describe('self-test over network fixtures (process)', () => {
  it.concurrent('a dBm Wi-Fi driver gives signal_dbm', async () => {
    const { result } = await selfTest('wifi-dbm', { sysfs: fixture('sysfs/net-wifi'), procfs: fixture('procfs/wireless-dbm') }, { network: { interfaces: ['wlan0'] } });
    expect(result.readings['network.wlan0.signal_dbm']).toBe(-56);
  });
  it.concurrent('a relative-unit Wi-Fi driver gives no signal_dbm', async () => {
    const { result } = await selfTest('wifi-relative', { sysfs: fixture('sysfs/net-wifi'), procfs: fixture('procfs/wireless-relative') }, { network: { interfaces: ['wlan0'] } });
    expect(result.readings['network.wlan0.signal_dbm']).toBeUndefined();
    expect(result.readings['network.wlan0.up']).toBe(true);
  });
  it.concurrent('a link down: network.link_down, exit 1', async () => {
    const { code, result, codes } = await selfTest('link-down', { sysfs: fixture('sysfs/net-cable-unplugged'), procfs: fixture('procfs/wireless-dbm') }, { network: { interfaces: ['eth0'] } });
    expect(result.readings['network.eth0.up']).toBe(false);
    expect(codes).toEqual(['network.link_down']);
    expect(code).toBe(1);
  });
});
