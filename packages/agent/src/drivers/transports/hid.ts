/**
 * USB HID behind a seam: what posdiag needs of node-hid (enumerate, open by path, 'data' / 'error'
 * events) as an interface, so tests and the demo's emulator feed reports without a USB bus.
 *
 * Invariants:
 * - node-hid (a native module linking the system libusb) is imported only by `loadNodeHidBackend`,
 *   called only when an HID device is configured, never at construction.
 * - A load failure is an `HidUnavailableError` with a message that says what to install; callers turn
 *   it into data (a reading problem), never a crash.
 */

/** What enumeration tells about one HID interface (node-hid's `Device`). */
export interface HidDeviceInfo {
  vendorId: number;
  productId: number;
  path?: string;
  serialNumber?: string;
  manufacturer?: string;
  product?: string;
  /** bcdDevice: the firmware release, BCD-coded (0x0102 = 1.02). */
  release: number;
  interface: number;
  usagePage?: number;
  usage?: number;
}

/**
 * An open HID device. 'data' delivers one input report per call; the buffer belongs to the listener,
 * which may (and for card readers must) zero it. 'error' means the device is gone.
 */
export interface HidDevice {
  on(event: 'data', listener: (report: Buffer) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  close(): Promise<void>;
}

export interface HidBackend {
  devices(): Promise<HidDeviceInfo[]>;
  open(path: string): Promise<HidDevice>;
}

export class HidUnavailableError extends Error {
  override name = 'HidUnavailableError';
}

/** The real backend. Rejects with `HidUnavailableError` when node-hid (or the libusb it links) will not load. */
export async function loadNodeHidBackend(): Promise<HidBackend> {
  let hid: typeof import('node-hid');
  try {
    hid = await import('node-hid');
    // node-hid loads its native part on first use: force it here, so a missing libusb fails the load.
    hid.getHidapiVersion();
  } catch (err) {
    throw new HidUnavailableError(
      `USB HID support unavailable: cannot load the "node-hid" module (${(err as Error).message}); on Debian install libusb-1.0-0`,
      { cause: err },
    );
  }
  return {
    devices: () => hid.devicesAsync(),
    open: (path) => hid.HIDAsync.open(path),
  };
}

/** "0x0102" → "1.02": bcdDevice as people write firmware versions. */
export function bcdVersion(release: number): string {
  const major = (release >> 8).toString(16);
  const minor = (release & 0xff).toString(16).padStart(2, '0');
  return `${major}.${minor}`;
}
