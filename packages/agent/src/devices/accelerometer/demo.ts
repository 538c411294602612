import type { z } from 'zod';
import type { FamilyDemo } from '../family.js';
import type { accelerometerSection } from './config.js';
import { EMULATED_IIO_NAME, IioAccelerometer } from './emulator/iio-accelerometer.js';
import { generateTrace } from './emulator/motion-traces.js';
import type { AccelSample } from './iio-scan.js';

/** When the demo's terminal falls off the counter, and from how high. */
export const DEMO_DROP_AT_MS = 12_000;
export const DEMO_DROP_HEIGHT_M = 0.9;

/**
 * An IIO accelerometer in the demo terminal's sysfs tree with its FIFO under the demo's /dev: lying
 * on the counter from 1 s, then at 12 s knocked off it (0.9 m): free fall, impact, at rest face down.
 * hardware.dropped is raised, and once the terminal lies still the daemon's quick self-test runs by itself.
 * The frames of each step are written at once (the driver times samples by their IIO timestamps).
 */
export const demo: FamilyDemo<z.input<typeof accelerometerSection>, IioAccelerometer> = {
  async start({ sysfsRoot, devRoot }) {
    const accel = new IioAccelerometer(sysfsRoot, devRoot);
    let t = 0;
    /** Samples on one time line, each step's after the last. */
    const next = (samples: AccelSample[]) => {
      const base = t - samples[0]!.t;
      const placed = samples.map((s) => ({ ...s, t: s.t + base }));
      t = placed[placed.length - 1]!.t + 1000 / accel.rateHz;
      return placed;
    };
    const lyingStill = () => Array.from({ length: accel.rateHz }, (_, i) => ({ t: (i * 1000) / accel.rateHz, x: 0.01, y: -0.01, z: 1 }));
    const stream = (samples: AccelSample[]) => void accel.stream(next(samples)).catch(() => undefined);
    return {
      device: accel,
      section: { source: 'iio', name: EMULATED_IIO_NAME, interval: '1s' },
      overrides: {},
      shown: `accelerometer ${EMULATED_IIO_NAME} in ${sysfsRoot}`,
      scenario: [
        { atMs: 1_000, say: 'the terminal lies on the counter', act: () => stream(lyingStill()) },
        {
          atMs: DEMO_DROP_AT_MS,
          say: `the terminal is knocked off the counter (${DEMO_DROP_HEIGHT_M} m)`,
          act: () => stream(generateTrace('drop', 16, { heightM: DEMO_DROP_HEIGHT_M }).samples),
        },
      ],
      close: () => void accel.close(),
    };
  },
};
