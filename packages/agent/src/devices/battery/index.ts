import type { DeviceFamily } from '../family.js';
import { catalog } from './catalog.js';
import { batterySection } from './config.js';
import { demo } from './demo.js';
import { DumpsysBatteryDriver } from './dumpsys-driver.js';
import type { SysfsBattery } from './emulator/sysfs-battery.js';
import rules from './rules.json' with { type: 'json' };
import { SysfsBatteryDriver } from './sysfs-driver.js';
import { batteryWear } from './wear.js';

/** The battery and the power it charges from: the kernel's power_supply class, or Android's dumpsys. */
export const battery: DeviceFamily<'battery', 'battery', typeof batterySection, SysfsBattery> = {
  key: 'battery',
  kind: 'battery',
  name: 'battery',
  words: { en: 'battery', 'zh-CN': '电池' },
  config: batterySection,
  readingPrefixes: ['battery.', 'power.'],
  catalog,
  rules: { file: new URL('./rules.json', import.meta.url), content: rules },
  createDriver: (section, { paths, ctx }) =>
    section.source === 'dumpsys' ? new DumpsysBatteryDriver(section, paths, ctx) : new SysfsBatteryDriver(section, paths, ctx),
  demo,
  wear: batteryWear,
};
