import { z } from 'zod';
import type { Observation, ReadingProblem, Readings } from '../../core/readings.js';
import { vendorStatusCode, type RelayedFields } from './vendor-status-codes.js';

/**
 * The control API's `printer_status` params (SPEC §9): the printer's state as the payment app reads it
 * from the vendor's printer service. Every field may be left out; one left out, and not told by a
 * known `vendorCode`, is unknown (a reading problem: it neither raises nor clears a fault), never OK.
 */
export const printerStatusParams = z.strictObject({
  paper: z.enum(['ok', 'near_end', 'end']).optional(),
  cover: z.enum(['open', 'closed']).optional(),
  overheat: z.boolean().optional(),
  cutter: z.enum(['ok', 'error']).optional(),
  online: z.boolean().optional(),
  /** The vendor's own status code, `<vendor>:<code>` (vendor-status-codes.ts), e.g. "sunmi:4" or "pax:2"; other text is kept as evidence. */
  vendorCode: z.string().min(1).max(64).optional(),
});
export type PrinterStatusParams = z.infer<typeof printerStatusParams>;

/** The readings a relayed status gives, as the ESC/POS drivers name them (printer-readings.ts). */
const FIELD_READINGS = {
  online: 'printer.online',
  cover: 'printer.cover_open',
  paper: 'printer.paper',
  overheat: 'printer.head_overheat',
  cutter: 'printer.cutter_error',
} as const satisfies Record<keyof RelayedFields, string>;

/**
 * Pure: one relayed status → an observation. What the app says wins; what it leaves out comes from its
 * vendor code's entry when there is one. The code itself is evidence (`printer.vendor_code`, and
 * `printer.vendor_status`: its meaning when known).
 */
export function relayedObservation(params: PrinterStatusParams): Observation {
  const known = params.vendorCode === undefined ? undefined : vendorStatusCode(params.vendorCode);
  const fields: RelayedFields = { ...known?.fields, ...definedFields(params) };
  if (known?.implies?.connected === false) {
    return {
      readings: { 'printer.connected': false },
      problems: Object.values(FIELD_READINGS).map((reading) => ({ reading, message: `the vendor's printer service says: ${known.meaning}` })),
      evidence: evidenceOf(params, known.meaning),
    };
  }
  const readings: Readings = { 'printer.connected': true };
  const problems: ReadingProblem[] = [];
  if (fields.online !== undefined) readings['printer.online'] = fields.online;
  if (fields.cover !== undefined) readings['printer.cover_open'] = fields.cover === 'open';
  if (fields.paper !== undefined) readings['printer.paper'] = fields.paper;
  if (fields.overheat !== undefined) readings['printer.head_overheat'] = fields.overheat;
  if (fields.cutter !== undefined) readings['printer.cutter_error'] = fields.cutter === 'error';
  if (known?.implies?.unrecoverableError) readings['printer.unrecoverable_error'] = true;
  for (const [field, reading] of Object.entries(FIELD_READINGS)) {
    if (fields[field as keyof RelayedFields] === undefined) problems.push({ reading, message: `the payment app did not relay "${field}"` });
  }
  return { readings, ...(problems.length ? { problems } : {}), evidence: evidenceOf(params, known?.meaning) };
}

/**
 * What is known when no status came for `quietMs` (or none ever): nothing. Every reading is a problem
 * without a value, `printer.connected` included, so the faults the printer had hold until the relay
 * speaks again and none is cleared by silence.
 */
export function quietObservation(reason: string): Observation {
  return {
    readings: {},
    problems: ['printer.connected', ...Object.values(FIELD_READINGS)].map((reading) => ({ reading, message: reason })),
    evidence: { 'printer.transport_error': reason },
  };
}

function definedFields(params: PrinterStatusParams): RelayedFields {
  const { vendorCode: _code, ...fields } = params;
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as RelayedFields;
}

function evidenceOf(params: PrinterStatusParams, meaning: string | undefined): Record<string, string> {
  return {
    ...(params.vendorCode !== undefined ? { 'printer.vendor_code': params.vendorCode } : {}),
    ...(meaning !== undefined ? { 'printer.vendor_status': meaning } : {}),
  };
}
