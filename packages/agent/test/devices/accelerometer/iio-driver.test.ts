import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from 'posdiag-protocol';
import { IioAccelerometerDriver } from '../../../src/devices/accelerometer/iio-driver.js';
import { EMULATED_IIO_NAME, IioAccelerometer } from '../../../src/devices/accelerometer/emulator/iio-accelerometer.js';
import { generateTrace } from '../../../src/devices/accelerometer/emulator/motion-traces.js';
import { measureThroughFifo } from '../../../src/devices/accelerometer/emulator/fifo-rates.js';
import type { Observation } from '../../../src/core/readings.js';
import type { DeviceEvent } from '../../../src/drivers/contract.js';
import { recordingLogger } from '../../../../../test/support/recording-logger.js';
import { FakeClock } from '../../../../../test/support/fake-clock.js';
import { waitFor } from '../../../../../test/support/wait-for.js';

const dirs: string[] = [];
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});

function terminal() {
  const dir = mkdtempSync(join(tmpdir(), 'posdiag-iio-'));
  dirs.push(dir);
  const paths = { sysfs: join(dir, 'sysfs'), dev: join(dir, 'dev') };
  const emulator = new IioAccelerometer(paths.sysfs, paths.dev);
  cleanup.push(() => emulator.close());
  return { paths, emulator };
}

const signal = () => new AbortController().signal;

describe('the IIO accelerometer driver, on an emulated sysfs tree and a FIFO for /dev/iio:device0', () => {
  it('buffered: enables x, y, z and the timestamp, switches the buffer on, and reports a drop from the frames with wear and a watch observation', async () => {
    const { paths, emulator } = terminal();
    const driver = new IioAccelerometerDriver({ source: 'iio', name: EMULATED_IIO_NAME, mode: 'buffered', rateHz: 100 }, paths, { clock: systemClock, log: recordingLogger() });
    cleanup.push(() => driver.close());
    const watched: Observation[] = [];
    const events: DeviceEvent[] = [];
    driver.watch((o) => watched.push(o));
    driver.deviceEvents((e) => events.push(e));
    const first = await driver.poll(signal());
    expect(first.readings).toMatchObject({ 'accelerometer.connected': true, 'accelerometer.mode': 'buffered', 'accelerometer.drop_open': false, 'accelerometer.drops': 0 });
    for (const element of ['in_accel_x', 'in_accel_y', 'in_accel_z', 'in_timestamp']) {
      expect(readFileSync(join(emulator.deviceDir, 'scan_elements', `${element}_en`), 'utf8').trim()).toBe('1');
    }
    expect(emulator.bufferEnabled()).toBe(true);

    const trace = generateTrace('drop', 5, { heightM: 0.9 });
    await emulator.stream(trace.samples);
    const dropped = await waitFor(() => watched.find((o) => o.readings['accelerometer.drop_open'] === true), 'the drop');
    expect(dropped.readings['accelerometer.drop_height_m']).toBeGreaterThan(0.85);
    expect(dropped.readings['accelerometer.drop_height_m']).toBeLessThan(0.95);
    expect(dropped.readings).toMatchObject({ 'accelerometer.drop_source': 'iio', 'accelerometer.drop_self_test': 'pending', 'accelerometer.drop_orientation': trace.drop!.orientation, 'accelerometer.drops': 1 });
    expect(events).toEqual([{ type: 'wear', family: 'accelerometer', detail: { at: expect.any(Number) } }]);
    expect((await driver.poll(signal())).readings['accelerometer.still']).toBe(true);

    // The self-test after it: a pass closes the drop; its verdict stays in the readings.
    driver.selfTested({ checks: [{ device: 'printer', name: 'status', passed: true, detail: 'OK' }] } as never);
    expect((await driver.poll(signal())).readings).toMatchObject({ 'accelerometer.drop_open': false, 'accelerometer.drop_self_test': 'passed' });
    await driver.close();
    expect(emulator.bufferEnabled()).toBe(false);
  });

  it('a device without a timestamp channel: 6-byte frames of x, y, z, timed by sampling_frequency', async () => {
    const { paths, emulator } = terminal();
    for (const attr of ['en', 'index', 'type']) rmSync(join(emulator.deviceDir, 'scan_elements', `in_timestamp_${attr}`));
    const samples: number[] = [];
    const driver = new IioAccelerometerDriver({ source: 'iio', name: EMULATED_IIO_NAME, mode: 'buffered', rateHz: 100 }, paths, { clock: systemClock, log: recordingLogger() }, { onSample: (s) => samples.push(s.t) });
    cleanup.push(() => driver.close());
    await driver.poll(signal());
    const trace = generateTrace('drop', 3, { heightM: 0.6 });
    await emulator.stream(trace.samples);
    const dropped = await waitFor(async () => {
      const { readings } = await driver.poll(signal());
      return readings['accelerometer.drop_open'] === true ? readings : undefined;
    }, 'the drop');
    expect(samples.slice(0, 3)).toEqual([0, 5, 10]);
    expect(Math.abs(Number(dropped['accelerometer.drop_height_m']) - 0.6)).toBeLessThan(0.06);
  });

  it('a failed self-test keeps the drop open with the failed checks, except devices already failing before it', async () => {
    const { paths, emulator } = terminal();
    const driver = new IioAccelerometerDriver({ source: 'iio', name: EMULATED_IIO_NAME, mode: 'buffered', rateHz: 100 }, paths, { clock: systemClock, log: recordingLogger() });
    cleanup.push(() => driver.close());
    await driver.poll(signal());
    await emulator.stream(generateTrace('drop', 9, { heightM: 1.1 }).samples);
    await waitFor(async () => (await driver.poll(signal())).readings['accelerometer.drop_open'] === true || undefined, 'the drop');
    const checks = [
      { device: 'printer', name: 'status', passed: false, detail: 'cover open' },
      { device: 'battery', name: 'status', passed: false, detail: 'low' },
      { device: 'cardReader', name: 'status', passed: true, detail: 'OK' },
    ];
    driver.selfTested({ checks } as never, new Set(['battery']));
    expect((await driver.poll(signal())).readings).toMatchObject({ 'accelerometer.drop_open': true, 'accelerometer.drop_self_test': 'failed', 'accelerometer.drop_self_test_failed': 'printer.status' });
  });

  it('falls back to polling the raw values when the device has no buffer, and reads them at the configured rate', async () => {
    const { paths, emulator } = terminal();
    rmSync(join(emulator.deviceDir, 'scan_elements'), { recursive: true });
    const clock = new FakeClock();
    const driver = new IioAccelerometerDriver({ source: 'iio', name: EMULATED_IIO_NAME, mode: 'buffered', rateHz: 100 }, paths, { clock, log: recordingLogger() });
    cleanup.push(() => driver.close());
    const first = await driver.poll(signal());
    expect(first.readings).toMatchObject({ 'accelerometer.connected': true, 'accelerometer.mode': 'raw' });
    expect(first.problems?.[0]?.message).toMatch(/buffer unusable, polling raw values: .*no in_accel_x_type/);
    emulator.setRaw({ t: 0, x: 0, y: 0, z: -1 });
    // Each read is real file I/O between the fake clock's ticks: tick until half a second of samples lay still.
    const still = await waitFor(async () => {
      await clock.advance(10);
      await new Promise((resolve) => setTimeout(resolve, 2));
      const { readings } = await driver.poll(signal());
      return readings['accelerometer.orientation'] === 'face_down' ? readings : undefined;
    }, 'the raw samples to lie still');
    expect(still['accelerometer.still']).toBe(true);

    // Garbage in a raw attribute: a reading problem, and the device is looked for afresh.
    emulator.writeRaw('in_accel_x_raw', 'garbage');
    const problem = await waitFor(async () => {
      await clock.advance(10);
      await new Promise((resolve) => setTimeout(resolve, 2));
      return (await driver.poll(signal())).problems?.find((p) => p.message.includes('in_accel_*_raw unreadable'));
    }, 'the unreadable raw value');
    expect(problem.reading).toBe('accelerometer.connected');
  });

  it('a device that is not there: connected false, found by a later poll', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'posdiag-iio-'));
    dirs.push(dir);
    const paths = { sysfs: join(dir, 'sysfs'), dev: join(dir, 'dev') };
    const driver = new IioAccelerometerDriver({ source: 'iio', name: EMULATED_IIO_NAME, mode: 'buffered', rateHz: 100 }, paths, { clock: systemClock, log: recordingLogger() });
    cleanup.push(() => driver.close());
    expect((await driver.poll(signal())).readings).toMatchObject({ 'accelerometer.connected': false });
    const emulator = new IioAccelerometer(paths.sysfs, paths.dev, { name: 'bmi160' });
    cleanup.push(() => emulator.close());
    expect((await driver.poll(signal())).readings['accelerometer.connected']).toBe(false);
    new IioAccelerometer(paths.sysfs, paths.dev, { name: EMULATED_IIO_NAME, index: 1 });
    expect((await driver.poll(signal())).identity?.address).toBe(join(paths.dev, 'iio:device1'));
  });
});

describe('the detector\'s rates over generated traces, through the FIFO and the real driver', () => {
  it('300 traces (60 drops of 0.3-1.5 m; carried, tapped, set down hard, shaken): at most 2 % missed, at most 1 % false drops', async () => {
    const rates = await measureThroughFifo(300, 20261202, recordingLogger());
    expect(rates.traces).toBe(300);
    expect(rates.drops).toBe(60);
    expect(rates.missRate).toBeLessThanOrEqual(0.02);
    expect(rates.falsePositiveRate).toBeLessThanOrEqual(0.01);
    expect(rates.worstHeightErrorM).toBeLessThan(0.1);
  }, 60_000);
});
