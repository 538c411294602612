import type { Device, InEndpoint, Interface, OutEndpoint } from 'usb';
import { UsbTransferError, type UsbBus, type UsbDeviceInfo, type UsbHotplugEvent, type UsbPrinterHandle } from './usb/bus.js';

/**
 * The real UsbBus over node-usb 2.18 (libusb inside its prebuilds). Thin on purpose: everything with
 * logic lives behind the UsbBus seam (usb/bus.ts) where tests reach it. The native module is imported
 * on the first call, never at load time, so a build without USB printers never touches it.
 */

type UsbModule = typeof import('usb');

let loaded: Promise<UsbModule> | undefined;
function loadUsb(): Promise<UsbModule> {
  loaded ??= import('usb').catch((err: Error) => {
    loaded = undefined;
    throw new Error(`USB support unavailable: cannot load the "usb" module (${err.message})`, { cause: err });
  });
  return loaded;
}

// libusb error codes (libusb.h) that carry a meaning here.
const LIBUSB_ERROR_NO_DEVICE = -4;
const LIBUSB_ERROR_TIMEOUT = -7;

function wrap(what: string, err: unknown): UsbTransferError {
  const errno = (err as { errno?: number }).errno;
  return new UsbTransferError(`${what}: ${(err as Error).message}`, { disconnected: errno === LIBUSB_ERROR_NO_DEVICE, timeout: errno === LIBUSB_ERROR_TIMEOUT }, err);
}

const TRANSFER_TYPES = ['control', 'isochronous', 'bulk', 'interrupt'] as const;

function describe(device: Device): UsbDeviceInfo | undefined {
  const config = device.configDescriptor;
  if (!config) return undefined;
  return {
    busNumber: device.busNumber,
    address: device.deviceAddress,
    vendorId: device.deviceDescriptor.idVendor,
    productId: device.deviceDescriptor.idProduct,
    configIndex: Math.max(0, config.bConfigurationValue - 1),
    interfaces: config.interfaces.flat().map((i) => ({
      number: i.bInterfaceNumber,
      alternate: i.bAlternateSetting,
      class: i.bInterfaceClass,
      subclass: i.bInterfaceSubClass,
      protocol: i.bInterfaceProtocol,
      endpoints: i.endpoints.map((e) => ({
        address: e.bEndpointAddress,
        direction: e.bEndpointAddress & 0x80 ? ('in' as const) : ('out' as const),
        transferType: TRANSFER_TYPES[e.bmAttributes & 0x03]!,
      })),
    })),
  };
}

export function nodeUsbBus(): UsbBus {
  return {
    async list() {
      const usb = await loadUsb();
      return usb.getDeviceList().flatMap((d) => {
        try {
          return describe(d) ?? [];
        } catch {
          return []; // gone between the listing and the descriptor read
        }
      });
    },
    async open(info, ifaceNumber) {
      const usb = await loadUsb();
      const device = usb.getDeviceList().find((d) => d.busNumber === info.busNumber && d.deviceAddress === info.address);
      if (!device) throw new UsbTransferError(`usb ${info.busNumber}-${info.address}: gone`, { disconnected: true });
      try {
        device.open();
      } catch (err) {
        throw wrap('open', err);
      }
      const iface = device.interface(ifaceNumber);
      let detached = false;
      try {
        if (iface.isKernelDriverActive()) {
          try {
            iface.detachKernelDriver();
            detached = true;
          } catch (err) {
            throw new UsbTransferError(`a kernel driver (usblp) owns interface ${ifaceNumber}: ${(err as Error).message}`, { kernelDriverBusy: true }, err);
          }
        }
        iface.claim();
      } catch (err) {
        device.close();
        throw err instanceof UsbTransferError ? err : wrap('claim', err);
      }
      return handle(device, iface, detached);
    },
    onHotplug(listener) {
      const subscriptions: [string, (d: Device) => void][] = (['attach', 'detach'] as const).map((type) => [
        type,
        (d: Device) => listener({ type, vendorId: d.deviceDescriptor.idVendor, productId: d.deviceDescriptor.idProduct } satisfies UsbHotplugEvent),
      ]);
      let stopped = false;
      void loadUsb().then((usb) => {
        if (stopped) return;
        for (const [type, fn] of subscriptions) usb.usb.on(type as 'attach', fn);
        usb.usb.unrefHotplugEvents(); // hotplug never keeps the process alive on its own
      }).catch(() => {});
      return () => {
        stopped = true;
        void loaded?.then((usb) => {
          for (const [type, fn] of subscriptions) usb.usb.off(type as 'attach', fn);
        });
      };
    },
  };
}

function handle(device: Device, iface: Interface, detachedKernelDriver: boolean): UsbPrinterHandle {
  const callback = <T>(what: string, resolve: (v: T) => void, reject: (e: Error) => void) => (err: unknown, value: T) =>
    err ? reject(wrap(what, err)) : resolve(value);
  return {
    controlIn: (s) =>
      new Promise((resolve, reject) => {
        device.controlTransfer(s.bmRequestType, s.bRequest, s.wValue, s.wIndex, s.wLength, callback('control transfer', (b) => resolve(b as Buffer), reject));
      }),
    bulkOut: (address, data, timeoutMs) =>
      new Promise((resolve, reject) => {
        const ep = iface.endpoint(address) as OutEndpoint;
        ep.timeout = timeoutMs;
        ep.transfer(Buffer.from(data), callback('bulk out', () => resolve(), reject));
      }),
    bulkIn: (address, length, timeoutMs) =>
      new Promise((resolve, reject) => {
        const ep = iface.endpoint(address) as InEndpoint;
        ep.timeout = timeoutMs;
        ep.transfer(length, callback('bulk in', (b) => resolve((b as Buffer | undefined) ?? Buffer.alloc(0)), reject));
      }),
    close: () =>
      new Promise((resolve) => {
        iface.release(true, () => {
          try {
            if (detachedKernelDriver) iface.attachKernelDriver();
          } catch {
            // the device may be gone already: nothing to hand back
          }
          try {
            device.close();
          } catch {
            // already closed by a detach
          }
          resolve();
        });
      }),
  };
}
