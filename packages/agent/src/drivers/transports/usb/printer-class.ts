/**
 * USB Printer Class (interface class 7) control requests and the port status byte (protocols.md §2).
 * Pure, byte exact.
 */

export const USB_CLASS_PRINTER = 7;

export interface ControlSetup {
  bmRequestType: number;
  bRequest: number;
  wValue: number;
  wIndex: number;
  wLength: number;
}

/** Class request, device-to-host, recipient interface. */
const CLASS_IN_INTERFACE = 0xa1;
/** Longest device ID asked for; the length prefix says how much of it is used. */
export const DEVICE_ID_MAX = 1023;

/** GET_DEVICE_ID: wValue is the configuration index, wIndex the interface in the high byte and the alternate setting in the low byte. */
export function getDeviceId(configIndex: number, iface: number, alternate: number): ControlSetup {
  return { bmRequestType: CLASS_IN_INTERFACE, bRequest: 0, wValue: configIndex, wIndex: ((iface & 0xff) << 8) | (alternate & 0xff), wLength: DEVICE_ID_MAX };
}

/** GET_PORT_STATUS: one byte. */
export function getPortStatus(iface: number): ControlSetup {
  return { bmRequestType: CLASS_IN_INTERFACE, bRequest: 1, wValue: 0, wIndex: iface, wLength: 1 };
}

/** The parallel-port bits: 5 Paper Empty, 4 Select, 3 Not Error (1 = no error). */
export interface PortStatus {
  paperEmpty: boolean;
  selected: boolean;
  error: boolean;
}

export function decodePortStatus(b: number): PortStatus {
  return { paperEmpty: (b & 0x20) !== 0, selected: (b & 0x10) !== 0, error: (b & 0x08) === 0 };
}
