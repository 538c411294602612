import type { Config } from '../config/schema.js';
import type { Driver, DriverContext } from './contract.js';
import { HidCardReaderDriver } from './card-reader/hid-card-reader-driver.js';
import { PcscCardReaderDriver } from './card-reader/pcsc-driver.js';
import { SerialCardReaderDriver } from './card-reader/serial-card-reader-driver.js';
import { DumpsysBatteryDriver } from './battery/dumpsys-driver.js';
import { SysfsBatteryDriver } from './battery/sysfs-driver.js';
import { NetworkDriver } from './network/network-driver.js';
import { ModemDriver } from './modem/modem-driver.js';
import { SerialPrinterDriver } from './printer/serial-printer-driver.js';
import { UsbPrinterDriver } from './printer/usb-printer-driver.js';
import type { UsbBus } from './transports/usb/bus.js';
import type { ClockSkewSink, ClockSkewSource } from './system/clock-skew.js';
import { SystemDriver } from './system/system-driver.js';
import type { HidBackend } from './transports/hid.js';
import { UsbGuardDriver } from './usb-guard/usb-guard-driver.js';
import type { SerialBinding } from './transports/serial.js';

export interface DriverOverrides {
  /** serialport binding for serial devices (the demo's emulators); the system binding otherwise. */
  serialBinding?: SerialBinding;
  /** USB stack for USB devices (tests: recorded descriptors and replies); node-usb, loaded lazily, otherwise. */
  usbBus?: UsbBus;
  /** HID backend for HID devices (the demo's card reader emulator); node-hid, loaded lazily, otherwise. */
  hid?: HidBackend;
  /**
   * Reference time for `system.clock_skew_s` (the agent's ClockSkewTracker): the system driver reads it,
   * the network driver feeds it TLS targets' HTTP `Date`. Without it the reading is absent.
   */
  clockSkew?: ClockSkewSource & ClockSkewSink;
}

/**
 * One driver per configured device section; an absent section is not monitored. Constructing a driver
 * touches no device and loads no native module (that happens on first poll), so this is cheap and safe
 * on a machine that lacks a device's library.
 */
export function createDrivers(config: Config, ctx: DriverContext, overrides: DriverOverrides = {}): Driver[] {
  const drivers: Driver[] = [];
  const { printer, battery, cardReader, network, modem, system, usbGuard } = config.devices;
  if (printer) {
    const log = ctx.log.child({ device: 'printer' });
    drivers.push(
      printer.transport === 'usb'
        ? new UsbPrinterDriver(printer, config.paths.sysfs, { ...ctx, log }, overrides.usbBus ? { bus: overrides.usbBus } : {})
        : new SerialPrinterDriver(printer, { ...ctx, log }, overrides.serialBinding ? { binding: overrides.serialBinding } : {}),
    );
  }
  if (battery) {
    const batteryCtx = { ...ctx, log: ctx.log.child({ device: 'battery' }) };
    drivers.push(
      battery.source === 'dumpsys'
        ? new DumpsysBatteryDriver(battery, config.paths, batteryCtx)
        : new SysfsBatteryDriver(battery, config.paths, batteryCtx),
    );
  }
  if (cardReader) {
    const readerCtx = { ...ctx, log: ctx.log.child({ device: 'cardReader' }) };
    if (cardReader.transport === 'hid') {
      // An emulated reader has no USB bus behind it: hotplug comes from a USB override or not at all.
      const hid = overrides.hid;
      drivers.push(
        new HidCardReaderDriver(cardReader, config.paths.state, readerCtx, hid ? { loadBackend: async () => hid, hotplug: overrides.usbBus?.onHotplug ?? null } : {}),
      );
    } else if (cardReader.transport === 'serial') {
      drivers.push(new SerialCardReaderDriver(cardReader, config.paths.state, readerCtx, overrides.serialBinding ? { binding: overrides.serialBinding } : {}));
    } else drivers.push(new PcscCardReaderDriver(cardReader, config.paths.state, readerCtx));
  }
  if (network) {
    const networkCtx = { ...ctx, log: ctx.log.child({ device: 'network' }) };
    drivers.push(new NetworkDriver(network, config.paths, networkCtx, overrides.clockSkew ? { clockSkew: overrides.clockSkew } : {}));
  }
  if (modem) {
    const modemCtx = { ...ctx, log: ctx.log.child({ device: 'modem' }) };
    drivers.push(new ModemDriver(modem, modemCtx, overrides.serialBinding ? { binding: overrides.serialBinding } : {}));
  }
  if (system) {
    const systemCtx = { ...ctx, log: ctx.log.child({ device: 'system' }) };
    drivers.push(new SystemDriver(system, config.paths, systemCtx, overrides.clockSkew ? { clockSkew: overrides.clockSkew } : {}));
  }
  if (usbGuard) {
    const guardCtx = { ...ctx, log: ctx.log.child({ device: 'usb-guard' }) };
    drivers.push(overrides.usbBus ? new UsbGuardDriver(usbGuard, config.paths, guardCtx, overrides.usbBus.onHotplug) : new UsbGuardDriver(usbGuard, config.paths, guardCtx));
  }
  return drivers;
}
