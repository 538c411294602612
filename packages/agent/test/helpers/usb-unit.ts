import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { batteryTerminal } from './daemon-process.js';

const USB_TERMINAL = fileURLToPath(new URL('../../fixtures/sysfs/usb-terminal/', import.meta.url));
/** The fixture's Mag-Tek reader on USB port 1-1.1: its serial is what tells one unit's reader from another's. */
export const READER_SERIAL = 'bus/usb/devices/1-1.1/serial';

/**
 * A unit under `dir` for the swap and repair process tests: a sysfs battery and the USB fixture (with
 * its card reader's serial), watched by the USB guard; `extra` on top (terminal, uplink).
 */
export function usbUnit(dir: string, readerSerial: string, extra: Record<string, unknown>) {
  mkdirSync(dir, { recursive: true });
  const paths = { state: join(dir, 'state'), logs: join(dir, 'logs'), socket: join(dir, 'control.sock') };
  const { config } = batteryTerminal(dir, paths, extra);
  const sysfs = (config.paths as { sysfs: string }).sysfs;
  cpSync(USB_TERMINAL, sysfs, { recursive: true });
  writeFileSync(join(sysfs, READER_SERIAL), `${readerSerial}\n`);
  config.devices = { ...(config.devices as object), usbGuard: { interval: '200ms' } };
  return { config, paths, sysfs };
}
