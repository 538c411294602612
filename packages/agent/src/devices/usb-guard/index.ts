import type { DeviceFamily } from '../family.js';
import { catalog } from './catalog.js';
import { usbGuardSection } from './config.js';
import rules from './rules.json' with { type: 'json' };
import { UsbGuardDriver } from './usb-guard-driver.js';

/**
 * The USB guard: every USB device attached, against the allowed and enrolled ones (a skimmer or a
 * keystroke injector is a USB device nobody allowed). Its faults are the system's: kind `system`.
 */
export const usbGuard: DeviceFamily<'usbGuard', 'system', typeof usbGuardSection> = {
  key: 'usbGuard',
  kind: 'system',
  name: 'usb-guard',
  words: { en: 'usb-guard', 'zh-CN': 'USB 设备检查' },
  config: usbGuardSection,
  readingPrefixes: ['security.'],
  catalog,
  rules: { file: new URL('./rules.json', import.meta.url), content: rules },
  createDriver: (section, { paths, ctx, overrides }) =>
    overrides.usbBus ? new UsbGuardDriver(section, paths, ctx, overrides.usbBus.onHotplug) : new UsbGuardDriver(section, paths, ctx),
};
