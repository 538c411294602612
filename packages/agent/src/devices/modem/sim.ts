import type { AtResponse } from './at-response.js';
import { informationValues } from './at-response.js';
import { CME } from './cme-errors.js';

/** `modem.sim` (SPEC §4). */
export type SimState = 'ready' | 'missing' | 'pin_required' | 'puk_required' | 'error' | 'unknown';

/**
 * The SIM state from an `AT+CPIN?` response (27.007 §8.3; vendors add NOT READY and BLOCKED).
 * Any PIN or PUK the modem waits for — the SIM's, the phone's (PH-SIM), the network lock's (PH-NET…) —
 * blocks service the same way for the merchant. NOT READY is a SIM still starting (or, on some modems,
 * absent): not known. A modem without a SIM answers `+CME ERROR: 10`.
 */
export function parseSimState(response: AtResponse): SimState {
  if (response.final.kind === 'cme_error') return simFromCmeError(response.final.code);
  if (response.final.kind !== 'ok') return 'unknown';
  const values = informationValues(response);
  const value = values[values.length - 1];
  return value === undefined ? 'unknown' : simFromCpinValue(value);
}

/** `READY`, `SIM PIN`, `PH-NET PUK`, … → state. */
export function simFromCpinValue(value: string): SimState {
  const v = value.trim().replace(/^"|"$/g, '').toUpperCase();
  if (v === 'READY') return 'ready';
  if (v === 'BLOCKED') return 'error';
  if (/\bPUK2?$/.test(v)) return 'puk_required';
  if (/\bPIN2?$/.test(v)) return 'pin_required';
  return 'unknown';
}

/** A +CME ERROR to AT+CPIN? names the SIM's trouble; other errors leave it unknown. */
export function simFromCmeError(code: number | undefined): SimState {
  switch (code) {
    case CME.simNotInserted:
      return 'missing';
    case CME.simPinRequired:
      return 'pin_required';
    case CME.simPukRequired:
      return 'puk_required';
    case CME.simFailure:
    case CME.simWrong:
      return 'error';
    default:
      return 'unknown';
  }
}
