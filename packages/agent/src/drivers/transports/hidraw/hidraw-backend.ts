import { readFile } from 'node:fs/promises';
import type { Clock } from 'posdiag-protocol';
import type { Logger } from '../../../log/logger.js';
import type { HidBackend } from '../hid.js';
import { openHidrawDevice } from './hidraw-device.js';
import { descriptorPathOf, listHidraw } from './hidraw-sysfs.js';
import { parseReportDescriptor, type InputReportLayout } from './report-descriptor.js';

/**
 * USB (and any other bus's) HID through the kernel's hidraw nodes, in JavaScript: the HID backend the
 * `hidraw` card-reader transport hands the HID card reader driver instead of node-hid, so the same
 * driver, codec, readings and faults work where node-hid has no build (Android) or libusb is missing.
 * Enumeration is sysfs (`<sysfs>/class/hidraw/*`), reports are read from `<dev>/hidrawN`, and nothing
 * native is ever loaded.
 */
export interface HidrawBackendOptions {
  sysfs: string;
  dev: string;
  clock: Clock;
  log: Logger;
  /** Wait between looks at a silent node (hidraw-device.ts); default 250 ms. */
  idleMs?: number;
}

export function hidrawBackend(options: HidrawBackendOptions): HidBackend {
  return {
    devices: () => listHidraw(options.sysfs, options.dev),
    async open(path) {
      const layout = await readLayout(descriptorPathOf(options.sysfs, path), options.log);
      return openHidrawDevice(path, { clock: options.clock, layout, ...(options.idleMs !== undefined ? { idleMs: options.idleMs } : {}) });
    },
  };
}

/** The descriptor's input reports; undefined (logged) when it cannot be read or parsed. */
async function readLayout(file: string, log: Logger): Promise<InputReportLayout | undefined> {
  try {
    return parseReportDescriptor(await readFile(file));
  } catch (err) {
    log.warn({ file, err: (err as Error).message }, 'hidraw report descriptor unusable: each read is taken as one unnumbered report');
    return undefined;
  }
}
