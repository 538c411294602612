import { ConfigError } from '../config/load.js';
import type { Config } from '../config/schema.js';
import type { Driver, DriverContext } from './contract.js';
import { SysfsBatteryDriver } from './battery/sysfs-driver.js';
import { SerialPrinterDriver } from './printer/serial-printer-driver.js';
import type { SerialBinding } from './transports/serial.js';

export interface DriverOverrides {
  /** serialport binding for serial devices (the demo's emulators); the system binding otherwise. */
  serialBinding?: SerialBinding;
}

/**
 * One driver per configured device section; an absent section is not monitored. Constructing a driver
 * touches no device and loads no native module (that happens on first poll), so this is cheap and safe
 * on a machine that lacks a device's library.
 */
export function createDrivers(config: Config, ctx: DriverContext, overrides: DriverOverrides = {}): Driver[] {
  const drivers: Driver[] = [];
  const { printer, battery, cardReader, network, modem } = config.devices;
  if (printer) {
    if (printer.transport !== 'serial') throw notYet('devices.printer.transport', `"${printer.transport}"`);
    const log = ctx.log.child({ device: 'printer' });
    drivers.push(new SerialPrinterDriver(printer, { ...ctx, log }, overrides.serialBinding ? { binding: overrides.serialBinding } : {}));
  }
  if (battery) {
    if (battery.source !== 'sysfs') throw notYet('devices.battery.source', `"${battery.source}"`);
    drivers.push(new SysfsBatteryDriver(battery, config.paths, { ...ctx, log: ctx.log.child({ device: 'battery' }) }));
  }
  if (cardReader) throw notYet('devices.cardReader', 'card readers');
  if (network) throw notYet('devices.network', 'network monitoring');
  if (modem) throw notYet('devices.modem', 'modem monitoring');
  return drivers;
}

/** A device this build cannot monitor yet is a configuration error, never a silently unmonitored device. */
function notYet(key: string, what: string): ConfigError {
  return new ConfigError(`${key}: ${what} ${what.startsWith('"') ? 'is' : 'are'} not supported by this version of posdiag yet`);
}
