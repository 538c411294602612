import { splitParams } from './at-params.js';
import { checkAnswer, CESQ_VALUES, CSQ_VALUES, type ImpossibleAnswer } from './at-ranges.js';
import { informationValues, type AtResponse } from './at-response.js';

/**
 * Signal strength (27.007 §8.5 +CSQ, §8.69 +CESQ; protocols.md §4). Pure.
 * "Unknown" is undefined, never a number: `+CSQ: 99,99` has no signal figure. An answer with a value
 * 27.007 does not allow (at-ranges.ts) is an ImpossibleAnswer, never a weak signal.
 */

export interface Csq {
  /** 0..31, or 99 unknown (Quectel's 100..199 TD-SCDMA range is treated as unknown). */
  rssi: number;
  /** RXQUAL 0..7, or 99 unknown. */
  ber: number;
}

export interface Cesq {
  rxlev: number;
  ber: number;
  rscp: number;
  ecno: number;
  rsrq: number;
  rsrp: number;
}

/** The last `+CSQ: rssi,ber` line of an OK response; undefined when absent or malformed. */
export function parseCsq(response: AtResponse): Csq | ImpossibleAnswer | undefined {
  const [rssi, ber] = lastParams(response, 2);
  if (rssi === undefined || ber === undefined) return undefined;
  const csq = { rssi, ber };
  return checkAnswer('+CSQ', csq, CSQ_VALUES) ?? csq;
}

/** The last `+CESQ: rxlev,ber,rscp,ecno,rsrq,rsrp` line of an OK response. */
export function parseCesq(response: AtResponse): Cesq | ImpossibleAnswer | undefined {
  const p = lastParams(response, 6);
  if (p.some((v) => v === undefined)) return undefined;
  const [rxlev, ber, rscp, ecno, rsrq, rsrp] = p as number[];
  const cesq = { rxlev: rxlev!, ber: ber!, rscp: rscp!, ecno: ecno!, rsrq: rsrq!, rsrp: rsrp! };
  return checkAnswer('+CESQ', cesq, CESQ_VALUES) ?? cesq;
}

/** rssi → dBm: 0 → -113 (or less), 1 → -111, 2..30 → -113 + 2·rssi, 31 → -51 (or more); else unknown. */
export function rssiToDbm(rssi: number): number | undefined {
  return rssi >= 0 && rssi <= 31 ? -113 + 2 * rssi : undefined;
}

/**
 * The best single figure in dBm from CESQ: RSRP (LTE; index n covers [n-141, n-140)), else RSCP
 * (UMTS; n covers [n-121, n-120)), else RXLEV (GSM; n covers [n-111, n-110)). 255 / 99 = not applicable.
 */
export function cesqToDbm(cesq: Cesq): number | undefined {
  if (cesq.rsrp >= 0 && cesq.rsrp <= 97) return cesq.rsrp - 141;
  if (cesq.rscp >= 0 && cesq.rscp <= 96) return cesq.rscp - 121;
  if (cesq.rxlev >= 0 && cesq.rxlev <= 63) return cesq.rxlev - 111;
  return undefined;
}

/** `modem.signal_dbm`: from CSQ, or from CESQ when CSQ says unknown (LTE-only modems answer `99,99`). */
export function signalDbm(csq: Csq | undefined, cesq: Cesq | undefined): number | undefined {
  const fromCsq = csq ? rssiToDbm(csq.rssi) : undefined;
  if (fromCsq !== undefined) return fromCsq;
  return cesq ? cesqToDbm(cesq) : undefined;
}

/**
 * Integer parameters of the last information line, exactly `count` of them (else all undefined). A
 * sign is kept, so `-1` is a value out of range, not a malformed line.
 */
function lastParams(response: AtResponse, count: number): (number | undefined)[] {
  const values = response.final.kind === 'ok' ? informationValues(response) : [];
  const last = values[values.length - 1];
  const params = last === undefined ? [] : splitParams(last).values.map((v) => (/^-?\d{1,9}$/.test(v) ? Number(v) : undefined));
  return params.length === count ? params : new Array<undefined>(count).fill(undefined);
}
