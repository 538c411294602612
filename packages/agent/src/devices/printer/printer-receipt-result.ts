import type { Observation } from '../../core/readings.js';

/** What `printReceipt` found: the status read right after the receipt was sent. */
export interface ReceiptResult {
  /** The printer took the receipt and reports nothing that stops printing. */
  ok: boolean;
  observation: Observation;
}

/** A status after printing is clean when the printer is there, online, and has paper and no error. */
export function receiptResult(observation: Observation): ReceiptResult {
  const r = observation.readings;
  const ok =
    r['printer.connected'] === true &&
    r['printer.online'] === true &&
    r['printer.paper'] !== 'end' &&
    r['printer.cover_open'] !== true &&
    r['printer.cutter_error'] !== true &&
    r['printer.unrecoverable_error'] !== true &&
    r['printer.head_overheat'] !== true;
  return { ok, observation };
}
