import { z } from 'zod';
import { pollTiming } from '../../config/section.js';

/**
 * `devices.accelerometer`: a Linux IIO accelerometer found by its `name` file under
 * `<paths.sysfs>/bus/iio/devices/*`, read through its buffer (frames from `<paths.dev>/iio:deviceN`)
 * or, where the buffer cannot be used, by polling its raw attributes at `rateHz`; or `source: "app"`,
 * where the payment app detects drops itself and reports them on the control API (`report_drop`).
 */
const iioAccelerometer = z.strictObject({
  source: z.literal('iio'),
  name: z.string().min(1).describe('the IIO device\'s name file, e.g. "lis3dh-accel"'),
  mode: z.enum(['buffered', 'raw']).default('buffered').describe('buffered: frames from the character device; raw: polling in_accel_*_raw'),
  rateHz: z.number().int().min(50).max(1000).default(100).describe('raw polling rate (buffered mode uses the device\'s sampling_frequency)'),
  ...pollTiming,
});
const appAccelerometer = z.strictObject({
  source: z.literal('app'),
  ...pollTiming,
});

export const accelerometerSection = z.discriminatedUnion('source', [iioAccelerometer, appAccelerometer]);
export type AccelerometerConfig = z.output<typeof accelerometerSection>;
export type IioAccelerometerConfig = Extract<AccelerometerConfig, { source: 'iio' }>;
