import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from 'posdiag-protocol';
import type { Logger } from '../../../log/logger.js';
import type { Drop } from '../drop-detector.js';
import { IioAccelerometerDriver } from '../iio-driver.js';
import { scoreDetections, type DetectorRates } from './detector-rates.js';
import { EMULATED_IIO_NAME, IioAccelerometer } from './iio-accelerometer.js';
import { generateTraces } from './motion-traces.js';

/** Frames written per FIFO write: bounded, so a run of hundreds of traces is many bounded writes. */
const CHUNK = 4_000;

/**
 * The detector's rates measured the way the daemon meets samples: `count` generated traces written as
 * IIO frames into an emulated sysfs tree's FIFO, read and decoded by the real driver in buffered
 * mode, each drop scored against the traces (the test and `bench/drop-detector.ts` share this).
 */
export async function measureThroughFifo(count: number, seed: number, log: Logger, timeoutMs = 60_000): Promise<DetectorRates & { samples: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'posdiag-drop-rates-'));
  const emulator = new IioAccelerometer(join(dir, 'sysfs'), join(dir, 'dev'));
  const drops: Drop[] = [];
  let seen = 0;
  const driver = new IioAccelerometerDriver(
    { source: 'iio', name: EMULATED_IIO_NAME, mode: 'buffered', rateHz: 100 },
    { sysfs: join(dir, 'sysfs'), dev: join(dir, 'dev') },
    { clock: systemClock, log },
    { onDrop: (d) => drops.push(d), onSample: () => seen++ },
  );
  try {
    await driver.poll(new AbortController().signal);
    if (!emulator.bufferEnabled()) throw new Error('the driver did not switch the buffer on');
    const traces = generateTraces(count, seed);
    const samples = traces.flatMap((t) => t.samples);
    for (let i = 0; i < samples.length; i += CHUNK) await emulator.stream(samples.slice(i, i + CHUNK));
    const deadline = Date.now() + timeoutMs;
    while (seen < samples.length) {
      if (Date.now() > deadline) throw new Error(`only ${seen} of ${samples.length} samples came through the FIFO`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return { ...scoreDetections(traces, drops), samples: seen };
  } finally {
    await driver.close();
    await emulator.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
