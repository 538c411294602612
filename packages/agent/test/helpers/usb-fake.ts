import { readFileSync } from 'node:fs';
import {
  UsbTransferError,
  type UsbBus,
  type UsbDeviceInfo,
  type UsbHotplugEvent,
  type UsbPrinterHandle,
} from '../../src/drivers/transports/usb/bus.js';

/**
 * A UsbBus that plays a recorded printer (fixtures/usb/*.json): its descriptors, its control replies
 * keyed by setup ("a1 00 0000 0000"), and its bulk replies keyed by the request's hex. A control
 * request with no recorded reply stalls (EPIPE), as a printer without it does. No timing.
 */
export interface UsbFixture {
  description: string;
  device: UsbDeviceInfo;
  control: Record<string, string>;
  bulk: Record<string, string>;
}

export function loadUsbFixture(name: string): UsbFixture {
  return JSON.parse(readFileSync(new URL(`../../fixtures/usb/${name}.json`, import.meta.url), 'utf8')) as UsbFixture;
}

const h2 = (n: number) => n.toString(16).padStart(2, '0');
const h4 = (n: number) => n.toString(16).padStart(4, '0');

export class FakeUsbBus implements UsbBus {
  present = true;
  /** usblp holds the interface and refuses to be detached. */
  kernelDriverBusy = false;
  opens = 0;
  closes = 0;
  readonly bulkWritten: string[] = [];
  /** The endpoint of each bulkWritten entry, in the same order. */
  readonly bulkEndpoints: number[] = [];
  /** When set, bulk OUT rejects with it (after recording nothing): a stall or a printer that stopped taking data. */
  bulkOutError: UsbTransferError | undefined;
  private readonly listeners = new Set<(e: UsbHotplugEvent) => void>();
  private pendingIn: Buffer[] = [];

  constructor(readonly fixture: UsbFixture) {}

  async list(): Promise<UsbDeviceInfo[]> {
    return this.present ? [this.fixture.device] : [];
  }

  async open(device: UsbDeviceInfo, iface: number): Promise<UsbPrinterHandle> {
    if (!this.present) throw new UsbTransferError('LIBUSB_ERROR_NO_DEVICE', { disconnected: true });
    if (this.kernelDriverBusy) throw new UsbTransferError(`a kernel driver (usblp) owns interface ${iface}: LIBUSB_ERROR_BUSY`, { kernelDriverBusy: true });
    this.opens++;
    let open = true;
    const alive = () => {
      if (!open || !this.present) throw new UsbTransferError('LIBUSB_ERROR_NO_DEVICE', { disconnected: true });
    };
    return {
      controlIn: async (s) => {
        alive();
        const reply = this.fixture.control[`${h2(s.bmRequestType)} ${h2(s.bRequest)} ${h4(s.wValue)} ${h4(s.wIndex)}`];
        if (reply === undefined) throw new UsbTransferError('LIBUSB_ERROR_PIPE');
        return Buffer.from(reply, 'hex').subarray(0, s.wLength);
      },
      bulkOut: async (ep, data) => {
        alive();
        if (this.bulkOutError) throw this.bulkOutError;
        const hex = Buffer.from(data).toString('hex');
        this.bulkWritten.push(hex);
        this.bulkEndpoints.push(ep);
        const reply = this.fixture.bulk[hex];
        if (reply) this.pendingIn.push(Buffer.from(reply, 'hex'));
      },
      bulkIn: async () => {
        alive();
        const next = this.pendingIn.shift();
        if (!next) throw new UsbTransferError('LIBUSB_TRANSFER_TIMED_OUT', { timeout: true });
        return next;
      },
      close: async () => {
        if (open) this.closes++;
        open = false;
      },
    };
  }

  onHotplug(listener: (event: UsbHotplugEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Plugs the device in or out and tells hotplug listeners. */
  plug(present: boolean): void {
    this.present = present;
    const { vendorId, productId } = this.fixture.device;
    for (const l of this.listeners) l({ type: present ? 'attach' : 'detach', vendorId, productId });
  }
}
