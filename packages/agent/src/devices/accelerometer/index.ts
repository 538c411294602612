import type { DeviceFamily } from '../family.js';
import { AppDropDriver } from './app-drop-driver.js';
import { catalog } from './catalog.js';
import { accelerometerSection } from './config.js';
import { demo } from './demo.js';
import type { IioAccelerometer } from './emulator/iio-accelerometer.js';
import { IioAccelerometerDriver } from './iio-driver.js';
import rules from './rules.json' with { type: 'json' };
import { selfTestAfterDrop } from './self-test-after-drop.js';
import { accelerometerWear } from './wear.js';

/** The accelerometer: a Linux IIO device the agent reads for drops, or the payment app's own drop reports. */
export const accelerometer: DeviceFamily<'accelerometer', 'accelerometer', typeof accelerometerSection, IioAccelerometer> = {
  key: 'accelerometer',
  kind: 'accelerometer',
  name: 'accelerometer',
  words: { en: 'accelerometer', 'zh-CN': '加速度传感器' },
  config: accelerometerSection,
  readingPrefixes: ['accelerometer.'],
  catalog,
  rules: { file: new URL('./rules.json', import.meta.url), content: rules },
  createDriver: (section, { paths, ctx }) => (section.source === 'app' ? new AppDropDriver(section, ctx) : new IioAccelerometerDriver(section, paths, ctx)),
  demo,
  wear: accelerometerWear,
  selfTestAfter: selfTestAfterDrop,
  repairContext: [
    'accelerometer.drop_at',
    'accelerometer.drop_height_m',
    'accelerometer.drop_peak_g',
    'accelerometer.drop_orientation',
    'accelerometer.drop_source',
    'accelerometer.drop_self_test',
    'accelerometer.drops_total',
    'accelerometer.last_drop_at',
  ],
};
