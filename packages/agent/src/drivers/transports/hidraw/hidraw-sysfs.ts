import { readFile, realpath } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { HidDeviceInfo } from '../hid.js';
import { listDirectory, parseUevent } from '../sysfs.js';

/**
 * The hidraw nodes the kernel lists under `<sysfs>/class/hidraw/`, each with the ids its HID device's
 * `uevent` names (`HID_ID=0003:VVVVVVVV:PPPPPPPP`, bus, vendor, product, in hex) and, for a USB device,
 * the strings and bcdDevice of the USB device two levels above the HID device (its interface, then the
 * device), which node-hid reports too. The node itself is `<dev>/hidrawN`.
 */

export interface HidrawInfo extends HidDeviceInfo {
  /** `<dev>/hidrawN`, the node reports are read from. */
  path: string;
}

/** `HID_ID=0003:00000801:00000002` → bus 3, vendor 0x0801, product 0x0002; undefined when malformed. */
export function parseHidId(value: string | undefined): { bus: number; vendorId: number; productId: number } | undefined {
  const match = /^([0-9a-f]{1,8}):([0-9a-f]{1,8}):([0-9a-f]{1,8})$/i.exec(value ?? '');
  if (!match) return undefined;
  const [bus, vendorId, productId] = match.slice(1).map((h) => parseInt(h, 16)) as [number, number, number];
  if (vendorId > 0xffff || productId > 0xffff) return undefined;
  return { bus, vendorId, productId };
}

const NODE_NAME = /^hidraw\d+$/;

/** Every hidraw node with readable ids; none when the class is absent (no HID device, or no hidraw in the kernel). */
export async function listHidraw(sysfs: string, dev: string): Promise<HidrawInfo[]> {
  const classDir = join(sysfs, 'class', 'hidraw');
  const names = (await listDirectory(sysfs, join('class', 'hidraw'))).filter((n) => NODE_NAME.test(n)).sort((a, b) => nodeNumber(a) - nodeNumber(b));
  const found: HidrawInfo[] = [];
  for (const name of names) {
    const info = await readNode(join(classDir, name), join(dev, name));
    if (info) found.push(info);
  }
  return found;
}

async function readNode(nodeDir: string, path: string): Promise<HidrawInfo | undefined> {
  const deviceDir = join(nodeDir, 'device');
  // A node going away between the listing and here is simply not there.
  const uevent = await readText(join(deviceDir, 'uevent'));
  if (uevent === undefined) return undefined;
  const fields = parseUevent(uevent);
  const ids = parseHidId(fields.HID_ID);
  if (!ids) return undefined;
  const usb = await usbAttributes(deviceDir);
  // Unplugged while its attributes were read: what was read is half a device (no serial, no
  // interface), which would be a reader other than the one enrolled. It is simply not there.
  if ((await readText(join(deviceDir, 'uevent'))) === undefined) return undefined;
  const product = usb.product ?? (fields.HID_NAME || undefined);
  const serialNumber = usb.serial ?? (fields.HID_UNIQ || undefined);
  return {
    vendorId: ids.vendorId,
    productId: ids.productId,
    path,
    ...(serialNumber ? { serialNumber } : {}),
    ...(usb.manufacturer ? { manufacturer: usb.manufacturer } : {}),
    ...(product ? { product } : {}),
    release: usb.release ?? 0,
    interface: usb.interface ?? -1,
  };
}

interface UsbAttributes {
  manufacturer?: string;
  product?: string;
  serial?: string;
  release?: number;
  interface?: number;
}

/** The USB interface and device above the HID device (`…/1-1/1-1:1.0/0003:0801:0002.0001`); none for Bluetooth or I2C HID. */
async function usbAttributes(deviceDir: string): Promise<UsbAttributes> {
  let hidDir: string;
  try {
    hidDir = await realpath(deviceDir);
  } catch {
    return {};
  }
  const interfaceDir = dirname(hidDir);
  const usbDir = dirname(interfaceDir);
  const [iface, release, manufacturer, product, serial] = await Promise.all([
    readText(join(interfaceDir, 'bInterfaceNumber')),
    readText(join(usbDir, 'bcdDevice')),
    readText(join(usbDir, 'manufacturer')),
    readText(join(usbDir, 'product')),
    readText(join(usbDir, 'serial')),
  ]);
  const hexNumber = (text: string | undefined) => (text !== undefined && /^[0-9a-f]+$/i.test(text) ? parseInt(text, 16) : undefined);
  const attributes: UsbAttributes = {};
  const interfaceNumber = hexNumber(iface);
  const bcd = hexNumber(release);
  if (interfaceNumber !== undefined) attributes.interface = interfaceNumber;
  if (bcd !== undefined) attributes.release = bcd;
  if (manufacturer) attributes.manufacturer = manufacturer;
  if (product) attributes.product = product;
  if (serial) attributes.serial = serial;
  return attributes;
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    return undefined;
  }
}

const nodeNumber = (name: string) => Number(name.slice('hidraw'.length));

/** `<dev>/hidraw3` → `<sysfs>/class/hidraw/hidraw3/device/report_descriptor`. */
export function descriptorPathOf(sysfs: string, path: string): string {
  return join(sysfs, 'class', 'hidraw', basename(path), 'device', 'report_descriptor');
}
