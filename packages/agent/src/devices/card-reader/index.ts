import type { DeviceFamily } from '../family.js';
import { cardHints } from './card-hint.js';
import { catalog } from './catalog.js';
import { cardReaderSection } from './config.js';
import { demo } from './demo.js';
import type { HidCardReaderEmulator } from './emulator/hid-card-reader.js';
import { HidCardReaderDriver } from './hid-card-reader-driver.js';
import { hidrawBackend } from '../../drivers/transports/hidraw/hidraw-backend.js';
import { PcscCardReaderDriver } from './pcsc-driver.js';
import rules from './rules.json' with { type: 'json' };
import { selfTest } from './self-test.js';
import { SerialCardReaderDriver } from './serial-card-reader-driver.js';
import { cardReaderWear } from './wear.js';

/** The card reader: a magnetic-stripe swipe reader on USB HID (node-hid or hidraw) or a serial line, or a smart-card reader through pcscd. */
export const cardReader: DeviceFamily<'cardReader', 'cardReader', typeof cardReaderSection, HidCardReaderEmulator> = {
  key: 'cardReader',
  kind: 'cardReader',
  name: 'cardReader',
  words: { en: 'cardReader', 'zh-CN': '读卡器' },
  config: cardReaderSection,
  readingPrefixes: ['card_reader.'],
  catalog,
  rules: { file: new URL('./rules.json', import.meta.url), content: rules },
  createDriver(section, { paths, ctx, overrides }) {
    if (section.transport === 'hid') {
      // An emulated reader has no USB bus behind it: hotplug comes from a USB override or not at all.
      const hid = overrides.hid;
      return new HidCardReaderDriver(section, paths.state, ctx, hid ? { loadBackend: async () => hid, hotplug: overrides.usbBus?.onHotplug ?? null } : {});
    }
    if (section.transport === 'hidraw') {
      // Never node-hid nor node-usb: the node's coming and going is seen by polling and by the open node itself.
      const backend = hidrawBackend({ sysfs: paths.sysfs, dev: paths.dev, clock: ctx.clock, log: ctx.log });
      return new HidCardReaderDriver(section, paths.state, ctx, { loadBackend: async () => backend, hotplug: null });
    }
    if (section.transport === 'serial') return new SerialCardReaderDriver(section, paths.state, ctx, overrides.serialBinding ? { binding: overrides.serialBinding } : {});
    return new PcscCardReaderDriver(section, paths.state, ctx);
  },
  selfTest,
  demo,
  wear: cardReaderWear,
  merchantHints: cardHints,
};
