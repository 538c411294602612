/**
 * The seam between the USB printer driver and the USB stack. The driver sees only these interfaces;
 * the real implementation (usb.ts, over node-usb) stays thin, and tests feed recorded descriptors and
 * control replies through a fake.
 */

export interface UsbEndpointInfo {
  address: number;
  direction: 'in' | 'out';
  transferType: 'control' | 'isochronous' | 'bulk' | 'interrupt';
}

export interface UsbInterfaceInfo {
  number: number;
  alternate: number;
  class: number;
  subclass: number;
  protocol: number;
  endpoints: UsbEndpointInfo[];
}

/** What the descriptors say, readable without opening the device. */
export interface UsbDeviceInfo {
  busNumber: number;
  address: number;
  vendorId: number;
  productId: number;
  /** Index of the active configuration (GET_DEVICE_ID's wValue). */
  configIndex: number;
  interfaces: UsbInterfaceInfo[];
}

/** An opened device with the printer interface claimed. Every method rejects with a UsbTransferError on failure. */
export interface UsbPrinterHandle {
  controlIn(setup: { bmRequestType: number; bRequest: number; wValue: number; wIndex: number; wLength: number }): Promise<Buffer>;
  bulkOut(endpoint: number, data: Uint8Array, timeoutMs: number): Promise<void>;
  bulkIn(endpoint: number, length: number, timeoutMs: number): Promise<Buffer>;
  /** Releases the interface (handing it back to a kernel driver that was detached) and closes the device. */
  close(): Promise<void>;
}

export interface UsbHotplugEvent {
  type: 'attach' | 'detach';
  vendorId: number;
  productId: number;
}

export interface UsbBus {
  list(): Promise<UsbDeviceInfo[]>;
  /**
   * Opens the device and claims `iface`, detaching a kernel driver (Linux usblp) that holds it.
   * Rejects with `kernelDriverBusy` when that driver cannot be detached.
   */
  open(device: UsbDeviceInfo, iface: number): Promise<UsbPrinterHandle>;
  /** Returns an unsubscribe function. */
  onHotplug(listener: (event: UsbHotplugEvent) => void): () => void;
}

/**
 * A failed USB operation. `disconnected`: the device is gone (LIBUSB_ERROR_NO_DEVICE);
 * `timeout`: no answer in time; `kernelDriverBusy`: another driver owns the interface.
 */
export class UsbTransferError extends Error {
  readonly disconnected: boolean;
  readonly timeout: boolean;
  readonly kernelDriverBusy: boolean;
  constructor(message: string, flags: { disconnected?: boolean; timeout?: boolean; kernelDriverBusy?: boolean } = {}, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'UsbTransferError';
    this.disconnected = flags.disconnected ?? false;
    this.timeout = flags.timeout ?? false;
    this.kernelDriverBusy = flags.kernelDriverBusy ?? false;
  }
}
