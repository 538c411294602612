import type { Config } from '../config/schema.js';
import type { Driver, DriverContext } from '../drivers/contract.js';
import type { DriverOverrides } from './family.js';
import { families } from './index.js';

/**
 * One driver per configured device section, in the families' order; an absent section is not
 * monitored. Constructing a driver touches no device and loads no native module (that happens on
 * first poll), so this is cheap and safe on a machine that lacks a device's library.
 */
export function createDrivers(config: Config, ctx: DriverContext, overrides: DriverOverrides = {}): Driver[] {
  const drivers: Driver[] = [];
  for (const family of families) {
    const section = (config.devices as Record<string, unknown>)[family.key];
    // The section was parsed by this family's own schema (config/schema.ts is built from the list).
    if (section !== undefined) drivers.push(family.createDriver(section, { paths: config.paths, ctx: { ...ctx, log: ctx.log.child({ device: family.name }) }, overrides }));
  }
  return drivers;
}
