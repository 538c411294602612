import type { AnyFamily } from './family.js';
import { accelerometer } from './accelerometer/index.js';
import { battery } from './battery/index.js';
import { cardReader } from './card-reader/index.js';
import { modem } from './modem/index.js';
import { network } from './network/index.js';
import { paymentApp } from './payment-app/index.js';
import { printer } from './printer/index.js';
import { system } from './system/index.js';
import { usbGuard } from './usb-guard/index.js';

/**
 * The device families the agent knows (devices/family.ts), one line each. The config's `devices`
 * section, the device kinds, the driver registry, the fault catalog, the built-in rules, the
 * self-test's checks, the merchant's device names, the demo's terminal and the lifetime counters
 * (maintenance/) are built from this list, in its order: the drivers are built, polled and
 * self-tested in it.
 */
export const FAMILIES = [
  printer,
  battery,
  cardReader,
  network,
  modem,
  system,
  usbGuard,
  accelerometer,
  paymentApp,
] as const;

/** The same list as the builders walk it. */
export const families: readonly AnyFamily[] = FAMILIES;
