import { intParam, splitParams } from './at-params.js';
import { checkAnswer, REGISTRATION_VALUES, type ImpossibleAnswer } from './at-ranges.js';
import { informationValues, infoPrefix, type AtResponse } from './at-response.js';

/**
 * Network registration (27.007 §7.2 +CREG, §10.1.19 +CGREG, §10.1.22 +CEREG; §7.3 +COPS). Pure.
 */

/** `modem.registration` (SPEC §4). */
export type Registration = 'home' | 'roaming' | 'searching' | 'denied' | 'not_registered' | 'unknown';

export interface RegistrationStatus {
  /** The URC mode the modem is in (0..5). */
  n: number;
  /** 0 idle, 1 home, 2 searching, 3 denied, 4 unknown, 5 roaming, 6/7 SMS only, 8 emergency only, 9/10 CSFB not preferred. */
  stat: number;
  /** LAC (or TAC for CEREG) and cell id, hex as sent (quotes removed), when the modem gives them. */
  lac?: string;
  ci?: string;
  act?: number;
}

/**
 * The read response among a response's `+CxREG:` lines. A URC of the same name (`+CREG: 1`, or
 * `+CREG: 1,"00C3","A13F"`) can arrive during the query; the read response is the one whose first two
 * values are a mode and a status 27.007 allows (at-ranges.ts), both bare numbers. When no line is, the
 * last one with two bare numbers first is an ImpossibleAnswer: the modem answered, with nonsense.
 */
export function parseRegistration(response: AtResponse): RegistrationStatus | ImpossibleAnswer | undefined {
  if (response.final.kind !== 'ok') return undefined;
  let impossible: ImpossibleAnswer | undefined;
  for (const value of informationValues(response).reverse()) {
    const { values, quoted } = splitParams(value);
    const n = intParam(values[0]);
    const stat = intParam(values[1]);
    if (values.length < 2 || quoted[0] || quoted[1] || n === undefined || stat === undefined) continue;
    const problem = checkAnswer(infoPrefix(response.command) ?? response.command, { n, stat }, REGISTRATION_VALUES);
    if (problem) {
      impossible ??= problem;
      continue;
    }
    const status: RegistrationStatus = { n, stat };
    if (values[2]) status.lac = values[2].toUpperCase();
    if (values[3]) status.ci = values[3].toUpperCase();
    const act = intParam(values[4]);
    if (act !== undefined) status.act = act;
    return status;
  }
  return impossible;
}

const BY_STAT: Record<number, Registration> = {
  0: 'not_registered',
  1: 'home',
  2: 'searching',
  3: 'denied',
  4: 'unknown',
  5: 'roaming',
  // Registered for SMS only / with CSFB not preferred: registered all the same.
  6: 'home',
  7: 'roaming',
  // Attached for emergency calls only: no service for payments.
  8: 'not_registered',
  9: 'home',
  10: 'roaming',
};

export function registrationFromStat(stat: number): Registration {
  return BY_STAT[stat] ?? 'unknown';
}

/**
 * Best first. A modem registers per domain (CS for CREG, GPRS for CGREG, EPS for CEREG) and an LTE-only
 * modem is idle in CS while home in EPS, so the best domain is the modem's state. Denied outranks
 * idle, because it is the news; unknown says least.
 */
const RANK: readonly Registration[] = ['home', 'roaming', 'searching', 'denied', 'not_registered', 'unknown'];

export function bestRegistration(states: readonly (RegistrationStatus | undefined)[]): Registration {
  let best: Registration = 'unknown';
  for (const s of states) {
    if (!s) continue;
    const r = registrationFromStat(s.stat);
    if (RANK.indexOf(r) < RANK.indexOf(best)) best = r;
  }
  return best;
}

export interface Operator {
  /** 0 automatic, 1 manual, 2 deregistered, 3 set format only, 4 manual then automatic. */
  mode: number;
  /** Name (format 0 long / 1 short) or MCCMNC (format 2); absent when not registered. */
  name?: string;
  act?: number;
}

/** `+COPS: <mode>[,<format>,<oper>[,<AcT>]]`. */
export function parseCops(response: AtResponse): Operator | undefined {
  if (response.final.kind !== 'ok') return undefined;
  const last = informationValues(response).pop();
  if (last === undefined) return undefined;
  const { values } = splitParams(last);
  const mode = intParam(values[0]);
  if (mode === undefined) return undefined;
  const operator: Operator = { mode };
  if (values[2]) operator.name = values[2];
  const act = intParam(values[3]);
  if (act !== undefined) operator.act = act;
  return operator;
}

const ACCESS_TECH: Record<number, string> = {
  0: 'gsm',
  1: 'gsm_compact',
  2: 'umts',
  3: 'edge',
  4: 'hsdpa',
  5: 'hsupa',
  6: 'hspa',
  7: 'lte',
  8: 'ec_gsm_iot',
  9: 'nb_iot',
  10: 'lte_5gc',
  11: 'nr_5gc',
  12: 'ng_ran',
  13: 'en_dc',
};

/** `modem.access_tech`: the 27.007 AcT number as a word; undefined for numbers not in the table. */
export function accessTechName(act: number | undefined): string | undefined {
  return act === undefined ? undefined : ACCESS_TECH[act];
}
