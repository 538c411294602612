import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { requestDaemon } from '../../../src/control/client.js';
import { EMULATED_IIO_NAME, IioAccelerometer } from '../../../src/devices/accelerometer/emulator/iio-accelerometer.js';
import { generateTrace } from '../../../src/devices/accelerometer/emulator/motion-traces.js';
import { batteryTerminal, startDaemonProcess, type DaemonProcess } from '../../helpers/daemon-process.js';
import { startTestHub, TEST_TOKENS } from '../../../../../test/support/hub-harness.js';
import { waitFor } from '../../../../../test/support/wait-for.js';

/**
 * Issue 16, the drop, with the real program: `posdiag run` as a process reading an emulated IIO
 * accelerometer (a sysfs tree, and a FIFO standing in for /dev/iio:device0) and delivering to a hub.
 * A generated fall from 0.9 m reaches the hub as hardware.dropped with its height and peak; the
 * daemon runs a quick self-test by itself once the terminal lies still and the drop clears with its
 * verdict; a battery that fails afterwards sends a repair request that carries the drop. The payment
 * app's own report (`report_drop`, source app) raises the same fault.
 */

const dirs: string[] = [];
const running: { daemon?: DaemonProcess; hub?: Awaited<ReturnType<typeof startTestHub>>; emulator?: IioAccelerometer }[] = [];
afterAll(async () => {
  for (const r of running) {
    await r.daemon?.stop();
    await r.emulator?.close();
    await r.hub?.cleanup();
  }
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'posdiag-drop-process-'));
  dirs.push(dir);
  return dir;
}

type Row = Awaited<ReturnType<typeof startTestHub>>['stored'][number];
const faultRows = (stored: Row[], code: string) => stored.filter((r): r is Extract<Row, { kind: 'fault' }> => r.kind === 'fault' && r.code === code);

describe('posdiag run with an IIO accelerometer (issue 16)', () => {
  it('a fall from 0.9 m: hardware.dropped at the hub, the self-test the daemon runs by itself, the drop cleared by it, and the drop in a later repair request', async () => {
    const dir = tempDir();
    const hub = await startTestHub();
    const paths = { state: join(dir, 'state'), logs: join(dir, 'logs'), socket: join(dir, 'control.sock') };
    const { config, battery } = batteryTerminal(dir, paths, { uplink: { url: hub.hub.url, token: TEST_TOKENS['T-0001'] } });
    const sysfs = (config.paths as { sysfs: string }).sysfs;
    const emulator = new IioAccelerometer(sysfs, join(dir, 'dev'));
    const entry: (typeof running)[number] = { hub, emulator };
    running.push(entry);
    entry.daemon = await startDaemonProcess(dir, {
      ...config,
      paths: { ...(config.paths as object), dev: join(dir, 'dev') },
      devices: { ...(config.devices as object), accelerometer: { source: 'iio', name: EMULATED_IIO_NAME, interval: '200ms' } },
    });

    await waitFor(async () => ((await emulator.hasReader()) ? true : undefined), 'the daemon to open the accelerometer buffer');
    expect(emulator.bufferEnabled()).toBe(true);
    await emulator.stream(generateTrace('drop', 16, { heightM: 0.9 }).samples);

    const cleared = await waitFor(() => faultRows(hub.stored, 'hardware.dropped').find((r) => r.state === 'cleared'), 'the drop to clear after its self-test');
    const [raised] = faultRows(hub.stored, 'hardware.dropped');
    expect(raised).toMatchObject({ state: 'raised', severity: 'major', device: { kind: 'accelerometer', model: EMULATED_IIO_NAME } });
    expect(raised!.evidence).toMatchObject({ 'accelerometer.drop_source': 'iio', 'accelerometer.drop_self_test': 'pending', 'accelerometer.drop_orientation': expect.stringMatching(/^face_|on_edge/) });
    expect(raised!.evidence['accelerometer.drop_height_m']).toBeGreaterThan(0.85);
    expect(raised!.evidence['accelerometer.drop_height_m']).toBeLessThan(0.95);
    expect(raised!.evidence['accelerometer.drop_peak_g']).toBeGreaterThanOrEqual(2.5);
    expect(Date.parse(String(raised!.evidence['accelerometer.drop_at']))).toBeLessThanOrEqual(Date.parse(raised!.createdAt));
    const selfTest = hub.stored.find((r) => r.kind === 'self_test');
    expect(selfTest).toBeDefined();
    if (selfTest?.kind === 'self_test') {
      expect(selfTest.result.level).toBe('quick');
      expect(selfTest.result.checks.map((c) => c.device)).toEqual(['battery']);
    }
    expect(cleared.evidence).toMatchObject({ 'accelerometer.drop_self_test': 'passed' });

    // A part that fails after the drop: its repair request carries the drop as evidence.
    battery.setHealth('dead');
    const failure = await waitFor(() => faultRows(hub.stored, 'battery.failure').find((r) => r.repairRequest), 'battery.failure with its repair request');
    const carried = failure.repairRequest!.evidence.readings.map((s) => s.readings);
    expect(carried.some((r) => r['accelerometer.drop_height_m'] === raised!.evidence['accelerometer.drop_height_m'] && r['accelerometer.drop_self_test'] === 'passed')).toBe(true);
    expect(failure.repairRequest!.evidence.selfTest?.level).toBe('quick');
  }, 60_000);

  it('source app: the payment app\'s report_drop raises the same fault, source noted; a bad report is refused with its reason', async () => {
    const dir = tempDir();
    const hub = await startTestHub();
    const paths = { state: join(dir, 'state'), logs: join(dir, 'logs'), socket: join(dir, 'control.sock') };
    const { config } = batteryTerminal(dir, paths, { uplink: { url: hub.hub.url, token: TEST_TOKENS['T-0001'] } });
    const entry: (typeof running)[number] = { hub };
    running.push(entry);
    entry.daemon = await startDaemonProcess(dir, { ...config, devices: { ...(config.devices as object), accelerometer: { source: 'app' } } });

    const at = new Date(Date.now() - 2_000).toISOString();
    await expect(requestDaemon(paths.socket, 'report_drop', { at, heightM: 0.9 })).rejects.toThrow(/params.peakG/);
    await expect(requestDaemon(paths.socket, 'report_drop', { at: '2020-01-01T00:00:00Z', heightM: 0.9, peakG: 8 })).rejects.toMatchObject({ code: 'bad_request' });
    expect(await requestDaemon(paths.socket, 'report_drop', { at, heightM: 1.2, peakG: 8 })).toEqual({ accepted: true });

    const cleared = await waitFor(() => faultRows(hub.stored, 'hardware.dropped').find((r) => r.state === 'cleared'), 'the reported drop to clear after its self-test');
    const [raised] = faultRows(hub.stored, 'hardware.dropped');
    expect(raised).toMatchObject({ severity: 'major', evidence: { 'accelerometer.drop_source': 'app', 'accelerometer.drop_height_m': 1.2, 'accelerometer.drop_peak_g': 8, 'accelerometer.drop_at': at } });
    expect(cleared.evidence['accelerometer.drop_self_test']).toBe('passed');
  }, 60_000);

  it('report_drop where the agent reads its own accelerometer: not_found, saying why', async () => {
    const dir = tempDir();
    const paths = { state: join(dir, 'state'), logs: join(dir, 'logs'), socket: join(dir, 'control.sock') };
    const entry: (typeof running)[number] = {};
    running.push(entry);
    entry.daemon = await startDaemonProcess(dir, batteryTerminal(dir, paths).config);
    await expect(requestDaemon(paths.socket, 'report_drop', { at: new Date().toISOString(), heightM: 1, peakG: 8 })).rejects.toMatchObject({ code: 'not_found', message: expect.stringMatching(/devices.accelerometer is not/) });
  }, 30_000);
});
