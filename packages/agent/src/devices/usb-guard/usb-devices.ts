import type { ReadingProblem } from '../../core/readings.js';
import { listDirectory, readAttribute } from '../../drivers/transports/sysfs.js';

/**
 * The USB devices the kernel has enumerated, from `<sysfs>/bus/usb/devices`: one entry per device
 * (`1-1`, `1-1.2`, `usb1` for a root hub) and one per interface (`1-1.2:1.0` = device `1-1.2`,
 * configuration 1, interface 0). Descriptor values are the kernel's hex text (`idVendor` = "04b8").
 *
 * Strings (manufacturer, product, serial) come from the device itself, so an attacker chooses them:
 * they are cut to printable ASCII and a bounded length before they go anywhere.
 */

const USB_DEVICES = 'bus/usb/devices';
const HUB_CLASS = 0x09;
const HID_CLASS = 0x03;
const HID_PROTOCOL_KEYBOARD = 0x01;
const MAX_STRING = 64;

export interface UsbInterface {
  /** e.g. "1-1.2:1.0" */
  name: string;
  class: number;
  subclass?: number;
  protocol?: number;
}

export interface UsbDevice {
  /** Bus port path, e.g. "1-1.2". */
  port: string;
  vendorId: number;
  productId: number;
  deviceClass?: number;
  manufacturer?: string;
  product?: string;
  serial?: string;
  interfaces: UsbInterface[];
}

export interface UsbScan {
  devices: UsbDevice[];
  problems: ReadingProblem[];
}

/** Reads every device but root hubs (`usbN`: the host controller itself, not something plugged in). */
export async function scanUsbDevices(root: string, signal?: AbortSignal): Promise<UsbScan> {
  const entries = await listDirectory(root, USB_DEVICES);
  const problems: ReadingProblem[] = [];
  const devices: UsbDevice[] = [];
  for (const port of entries.filter((e) => !e.includes(':') && !/^usb\d+$/.test(e))) {
    const interfaceNames = entries.filter((e) => e.startsWith(`${port}:`));
    const device = await readDevice(root, port, interfaceNames, problems, signal);
    if (device) devices.push(device);
  }
  return { devices, problems };
}

/** A hub only fans out ports; what is plugged into it is enumerated (and judged) on its own. */
export function isHub(device: UsbDevice): boolean {
  if (device.interfaces.length > 0) return device.interfaces.every((i) => i.class === HUB_CLASS);
  return device.deviceClass === HUB_CLASS;
}

/**
 * A HID interface with the boot keyboard protocol. A keyboard that does not offer the boot protocol is
 * only recognisable from its report descriptor; it still counts as an unknown device.
 */
export function isKeyboard(device: UsbDevice): boolean {
  return device.interfaces.some((i) => i.class === HID_CLASS && i.protocol === HID_PROTOCOL_KEYBOARD);
}

async function readDevice(
  root: string,
  port: string,
  interfaceNames: string[],
  problems: ReadingProblem[],
  signal?: AbortSignal,
): Promise<UsbDevice | null> {
  const dir = `${USB_DEVICES}/${port}`;
  const [vendorId, productId] = [await readHex(root, `${dir}/idVendor`, signal), await readHex(root, `${dir}/idProduct`, signal)];
  if (vendorId === undefined || productId === undefined) {
    problems.push({ message: `${dir}: no readable idVendor/idProduct` });
    return null;
  }
  const interfaces: UsbInterface[] = [];
  for (const name of interfaceNames) {
    const cls = await readHex(root, `${USB_DEVICES}/${name}/bInterfaceClass`, signal);
    if (cls === undefined) continue;
    const subclass = await readHex(root, `${USB_DEVICES}/${name}/bInterfaceSubClass`, signal);
    const protocol = await readHex(root, `${USB_DEVICES}/${name}/bInterfaceProtocol`, signal);
    interfaces.push({ name, class: cls, ...(subclass === undefined ? {} : { subclass }), ...(protocol === undefined ? {} : { protocol }) });
  }
  const device: UsbDevice = { port, vendorId, productId, interfaces };
  const deviceClass = await readHex(root, `${dir}/bDeviceClass`, signal);
  if (deviceClass !== undefined) device.deviceClass = deviceClass;
  for (const key of ['manufacturer', 'product', 'serial'] as const) {
    const text = await readText(root, `${dir}/${key}`, signal);
    if (text) device[key] = text;
  }
  return device;
}

async function readText(root: string, path: string, signal?: AbortSignal): Promise<string | undefined> {
  const read = await readAttribute(root, path, signal);
  return read.kind === 'value' ? printable(read.text) : undefined;
}

async function readHex(root: string, path: string, signal?: AbortSignal): Promise<number | undefined> {
  const read = await readAttribute(root, path, signal);
  if (read.kind !== 'value' || !/^[0-9a-fA-F]{1,4}$/.test(read.text)) return undefined;
  return parseInt(read.text, 16);
}

/** Printable ASCII only, at most MAX_STRING characters: device strings end up in reports and logs. */
function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, MAX_STRING).trim();
}
