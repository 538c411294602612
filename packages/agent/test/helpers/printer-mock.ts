import { expect } from 'vitest';
import { FakeClock } from '../../../../test/support/fake-clock.js';
import type { Observation } from '../../src/core/readings.js';
import { SerialPrinterDriver, type SerialPrinterConfig } from '../../src/devices/printer/serial-printer-driver.js';
import { silentLogger } from '../../src/log/logger.js';
import { EscPosPrinterEmulator, type EscPosPrinterState } from '../../src/devices/printer/emulator/escpos-printer.js';

/** The serial printer driver against the emulator over serialport's mock binding; time is a FakeClock. */

let nextPort = 0;
const open: SerialPrinterDriver[] = [];

/** Closes every driver made by `mockPrinter` (call from afterEach). */
export async function closeMockPrinters(): Promise<void> {
  await Promise.all(open.splice(0).map((d) => d.close()));
}

export const mockPrinterConfig = (path: string): SerialPrinterConfig => ({ transport: 'serial', path, baudRate: 115200, timeout: '1s' });

export const newMockPath = (): string => `/dev/mock-printer-${process.pid}-${nextPort++}`;

export async function mockPrinter(state: Partial<EscPosPrinterState> = {}) {
  const clock = new FakeClock();
  const emulator = new EscPosPrinterEmulator(state);
  const path = newMockPath();
  const { binding } = await emulator.attachToMockPort(path);
  const driver = new SerialPrinterDriver(mockPrinterConfig(path), { clock, log: silentLogger }, { binding });
  open.push(driver);
  return { clock, emulator, driver, path, binding };
}

/** Registers a driver made elsewhere for `closeMockPrinters`. */
export function trackDriver(driver: SerialPrinterDriver): SerialPrinterDriver {
  open.push(driver);
  return driver;
}

/** Runs an operation to completion, moving fake time on only while it is still pending (silent devices). */
export async function settled<T>(clock: FakeClock, op: Promise<T>): Promise<T> {
  let done = false;
  const result = op.finally(() => {
    done = true;
  });
  while (!done) await clock.advance(50);
  return result;
}

export const pollSettled = (driver: SerialPrinterDriver, clock: FakeClock, signal = new AbortController().signal): Promise<Observation> =>
  settled(clock, driver.poll(signal));

/** Waits until `predicate` holds, giving the mock port's nextTick-driven I/O a chance to run. */
export async function until(clock: FakeClock, predicate: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !predicate(); i++) await clock.advance(0);
  expect(predicate()).toBe(true);
}

/** The readings a healthy printer gives (every status byte 0x12). */
export const HEALTHY_PRINTER_READINGS = {
  'printer.connected': true,
  'printer.online': true,
  'printer.cover_open': false,
  'printer.cutter_error': false,
  'printer.head_overheat': false,
  'printer.unrecoverable_error': false,
  'printer.mechanical_error': false,
  'printer.paper': 'ok',
};
