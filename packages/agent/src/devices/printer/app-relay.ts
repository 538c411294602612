import { ControlError } from '../../control/server.js';
import type { Driver } from '../../drivers/contract.js';
import type { Prompter } from '../../self-test/self-test-prompts.js';
import type { Observation } from '../../core/readings.js';
import type { PrinterStatusParams } from './app-printer-status.js';

/** A printer driver the payment app relays (app-printer-driver.ts), told apart without importing it (the control layer loads before the families). */
export interface RelayedPrinter {
  relay(params: PrinterStatusParams, relay: Prompter): Observation;
}

export const isRelayedPrinter = (driver: Driver): driver is Driver & RelayedPrinter =>
  driver.kind === 'printer' && typeof (driver as Partial<RelayedPrinter>).relay === 'function';

/**
 * The control API's `printer_status` (control/agent-handlers.ts delegates here): the status goes to the
 * `app` printer; its answer is what the agent read it as, so an app developer sees the mapping at work.
 * `relay` is the requesting connection's prompter: the self-test's print requests come back on it.
 */
export function relayPrinterStatus(drivers: readonly Driver[], params: PrinterStatusParams, relay: Prompter): unknown {
  const printer = drivers.find(isRelayedPrinter);
  if (!printer) throw new ControlError('not_found', 'no printer relayed by the payment app is configured (devices.printer with "transport": "app")');
  const observation = printer.relay(params, relay);
  return { accepted: true, readings: observation.readings, ...(observation.evidence ? { evidence: observation.evidence } : {}) };
}
