import type { Observation, ReadingProblem, Readings } from '../../core/readings.js';
import { decodeAsb } from './escpos-asb.js';
import {
  decodeErrorCause,
  decodeOfflineCause,
  decodePaperStatus,
  decodePrinterStatus,
  type StatusBytes,
} from './escpos-status.js';

/**
 * ESC/POS status → SPEC §4 readings. A status that was not answered leaves its readings out, except
 * `printer.paper`, which says `unknown` (never OK) when the paper sensor was not read.
 */

const hex = (b: number | undefined): string => (b === undefined ? '--' : b.toString(16).padStart(2, '0'));

/** The readings a DLE EOT round (or an ASB packet) reports besides `printer.connected`. */
const STATUS_READINGS = [
  'printer.online',
  'printer.cover_open',
  'printer.cutter_error',
  'printer.head_overheat',
  'printer.unrecoverable_error',
  'printer.mechanical_error',
  'printer.paper',
] as const;

/**
 * A printer that did not answer at all: only `printer.connected = false`, the other readings are
 * unknown (a problem each, no value). Unknown, not absent: one lost reply (a busy line, a loaded host)
 * must neither clear nor raise the faults of the printer's real state; printer.disconnected has its
 * grace for that loss, and inhibits them once the silence lasts.
 */
export function disconnectedObservation(reason: string): Observation {
  return {
    readings: { 'printer.connected': false },
    problems: STATUS_READINGS.map((reading) => ({ reading, message: `no answer: ${reason}` })),
    evidence: { 'printer.transport_error': reason },
  };
}

/** Readings from one DLE EOT 1..4 round. At least one reply must be present (else the printer is disconnected). */
export function statusObservation(s: StatusBytes): Observation {
  const readings: Readings = { 'printer.connected': true };
  const problems: ReadingProblem[] = [];
  if (s.printer !== undefined) {
    readings['printer.online'] = !decodePrinterStatus(s.printer).offline;
  } else problems.push({ reading: 'printer.online', message: 'no answer to DLE EOT 1' });
  let paperEndStop = false;
  if (s.offlineCause !== undefined) {
    const c = decodeOfflineCause(s.offlineCause);
    readings['printer.cover_open'] = c.coverOpen;
    paperEndStop = c.paperEndStop;
  } else problems.push({ reading: 'printer.cover_open', message: 'no answer to DLE EOT 2' });
  if (s.errorCause !== undefined) {
    const e = decodeErrorCause(s.errorCause);
    readings['printer.cutter_error'] = e.autocutterError;
    readings['printer.head_overheat'] = e.autoRecoverableError;
    readings['printer.unrecoverable_error'] = e.unrecoverableError;
    readings['printer.mechanical_error'] = e.mechanicalError;
  } else problems.push({ reading: 'printer.cutter_error', message: 'no answer to DLE EOT 3' });
  if (s.paper !== undefined) {
    const p = decodePaperStatus(s.paper);
    readings['printer.paper'] = p.paperEnd ? 'end' : p.nearEnd ? 'near_end' : 'ok';
  } else {
    // Without the roll sensor, "stopped by paper end" (n=2) still proves the end; nothing proves OK.
    readings['printer.paper'] = paperEndStop ? 'end' : 'unknown';
    problems.push({ reading: 'printer.paper', message: 'no answer to DLE EOT 4' });
  }
  const evidence = {
    'printer.status_hex': [s.printer, s.offlineCause, s.errorCause, s.paper].map(hex).join(' '),
  };
  return problems.length > 0 ? { readings, problems, evidence } : { readings, evidence };
}

/** Readings from one ASB packet: it carries every status an ESC/POS roll printer has. */
export function asbObservation(packet: Uint8Array): Observation {
  const a = decodeAsb(packet);
  return {
    readings: {
      'printer.connected': true,
      'printer.online': !a.offline,
      'printer.cover_open': a.coverOpen,
      'printer.cutter_error': a.autocutterError,
      'printer.head_overheat': a.autoRecoverableError,
      'printer.unrecoverable_error': a.unrecoverableError,
      'printer.mechanical_error': a.mechanicalError,
      'printer.paper': a.paperEnd ? 'end' : a.nearEnd ? 'near_end' : 'ok',
    },
    evidence: { 'printer.asb_hex': Array.from(packet, (b) => hex(b)).join(' ') },
  };
}
