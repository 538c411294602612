import type { DeviceFamily } from '../family.js';
import { AppPrinterDriver } from './app-printer-driver.js';
import { catalog } from './catalog.js';
import { printerSection } from './config.js';
import { demo } from './demo.js';
import type { EscPosPrinterEmulator } from './emulator/escpos-printer.js';
import rules from './rules.json' with { type: 'json' };
import { selfTest } from './self-test.js';
import { SerialPrinterDriver } from './serial-printer-driver.js';
import { UsbPrinterDriver } from './usb-printer-driver.js';
import { printerWear } from './wear.js';

/** The receipt printer: ESC/POS over a serial line or USB, or behind the vendor's service, relayed by the payment app. */
export const printer: DeviceFamily<'printer', 'printer', typeof printerSection, EscPosPrinterEmulator> = {
  key: 'printer',
  kind: 'printer',
  name: 'printer',
  words: { en: 'printer', 'zh-CN': '打印机' },
  config: printerSection,
  readingPrefixes: ['printer.'],
  catalog,
  rules: { file: new URL('./rules.json', import.meta.url), content: rules },
  createDriver(section, { paths, ctx, overrides }) {
    if (section.transport === 'usb') return new UsbPrinterDriver(section, paths.sysfs, ctx, overrides.usbBus ? { bus: overrides.usbBus } : {});
    if (section.transport === 'app') return new AppPrinterDriver(section, ctx);
    return new SerialPrinterDriver(section, ctx, overrides.serialBinding ? { binding: overrides.serialBinding } : {});
  },
  selfTest,
  demo,
  wear: printerWear,
};
