import type { Observation } from '../../core/readings.js';
import { isHub, isKeyboard, type UsbDevice } from './usb-devices.js';

/**
 * The allowlist decision and the readings it yields. Pure.
 *
 * Readings: `security.usb_devices` (attached devices, hubs excluded), `security.unknown_usb_count`,
 * `security.unknown_usb_keyboard` (an unknown device offers a keyboard interface: the keylogger case).
 * Evidence `security.unknown_usb` says which devices, with VID:PID, interface classes and product string.
 */

export interface UsbAllowEntry {
  vendorId: number;
  productId: number;
  /** Only this unit; any unit of the model when absent. */
  serial?: string;
}

/** At most this many devices are described in the evidence; the count says how many there are. */
const EVIDENCE_DEVICES = 5;

function isAllowed(device: UsbDevice, allow: readonly UsbAllowEntry[]): boolean {
  return allow.some(
    (a) => a.vendorId === device.vendorId && a.productId === device.productId && (a.serial === undefined || a.serial === device.serial),
  );
}

/** Devices that count: everything but hubs. */
export function guardedDevices(devices: readonly UsbDevice[]): UsbDevice[] {
  return devices.filter((d) => !isHub(d));
}

export function usbGuardObservation(devices: readonly UsbDevice[], allow: readonly UsbAllowEntry[]): Observation {
  const guarded = guardedDevices(devices);
  const unknown = guarded.filter((d) => !isAllowed(d, allow));
  const observation: Observation = {
    readings: {
      'security.usb_devices': guarded.length,
      'security.unknown_usb_count': unknown.length,
      'security.unknown_usb_keyboard': unknown.some(isKeyboard),
    },
  };
  if (unknown.length > 0) {
    const shown = unknown.slice(0, EVIDENCE_DEVICES).map(describeUsbDevice);
    if (unknown.length > shown.length) shown.push(`+${unknown.length - shown.length} more`);
    observation.evidence = { 'security.unknown_usb': shown.join('; ') };
  }
  return observation;
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/** `1-1.3 1a2c:2124 class=03/01/01 keyboard "USB Keyboard"`: port, VID:PID, interface class/sub/protocol. */
function describeUsbDevice(d: UsbDevice): string {
  const classes = d.interfaces.map((i) => [i.class, i.subclass ?? 0, i.protocol ?? 0].map((n) => hex(n, 2)).join('/'));
  return [
    d.port,
    `${hex(d.vendorId, 4)}:${hex(d.productId, 4)}`,
    classes.length > 0 ? `class=${[...new Set(classes)].join(',')}` : `class=${hex(d.deviceClass ?? 0, 2)}`,
    isKeyboard(d) ? 'keyboard' : '',
    d.product ? JSON.stringify(d.product) : '',
  ]
    .filter(Boolean)
    .join(' ');
}
