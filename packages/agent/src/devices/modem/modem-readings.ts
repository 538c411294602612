import type { DeviceIdentity, Observation, ReadingProblem, Readings } from '../../core/readings.js';
import { afterPrefix } from './at-params.js';
import { isImpossible, type ImpossibleAnswer } from './at-ranges.js';
import { accessTechName, bestRegistration, type Operator, type RegistrationStatus } from './registration.js';
import { signalDbm, type Cesq, type Csq } from './signal.js';
import type { SimState } from './sim.js';

/** Turning what one poll learnt into the SPEC §4 readings. Pure. */

export interface ModemSnapshot {
  sim: SimState;
  csq?: Csq | ImpossibleAnswer;
  cesq?: Cesq | ImpossibleAnswer;
  creg?: RegistrationStatus | ImpossibleAnswer;
  cgreg?: RegistrationStatus | ImpossibleAnswer;
  cereg?: RegistrationStatus | ImpossibleAnswer;
  operator?: Operator;
}

/** A modem that did not answer `AT`: that and nothing else, since nothing else is known. */
export function unresponsiveObservation(message: string): Observation {
  return { readings: { 'modem.responding': false }, problems: [{ reading: 'modem.responding', message }] };
}

/**
 * An answer with impossible values (at-ranges.ts) counts as no answer and is reported as a problem with
 * its raw values; a reading only impossible answers fed (no valid signal figure, no valid registration
 * domain) is left out rather than guessed, so neither a weak signal nor "not registered" fires from
 * nonsense. The evidence keeps every answer as the modem gave it.
 */
export function modemObservation(s: ModemSnapshot, identity: DeviceIdentity | undefined, problems: ReadingProblem[]): Observation {
  const allProblems = [...problems];
  const take = <T extends object>(answer: T | ImpossibleAnswer | undefined, reading: string): T | undefined => {
    if (!isImpossible(answer)) return answer;
    allProblems.push({ reading, message: answer.problem });
    return undefined;
  };
  const csq = take(s.csq, 'modem.signal_dbm');
  const cesq = take(s.cesq, 'modem.signal_dbm');
  const [creg, cgreg, cereg] = [s.creg, s.cgreg, s.cereg].map((r) => take(r, 'modem.registration'));
  const onlyImpossible = !creg && !cgreg && !cereg && [s.creg, s.cgreg, s.cereg].some((r) => r !== undefined);

  const readings: Readings = { 'modem.responding': true, 'modem.sim': s.sim };
  if (!onlyImpossible) readings['modem.registration'] = bestRegistration([creg, cgreg, cereg]);
  const dbm = signalDbm(csq, cesq);
  if (dbm !== undefined) readings['modem.signal_dbm'] = dbm;
  if (s.operator?.name) readings['modem.operator'] = s.operator.name;
  // COPS names the technology in use; without it, the EPS domain, then GPRS, then CS.
  const tech = accessTechName(s.operator?.act ?? cereg?.act ?? cgreg?.act ?? creg?.act);
  if (tech) readings['modem.access_tech'] = tech;

  const evidence: Record<string, string> = {};
  const cite = <T extends object>(name: string, answer: T | ImpossibleAnswer | undefined, text: (a: T) => string) => {
    if (answer) evidence[name] = isImpossible(answer) ? answer.raw : text(answer);
  };
  cite('modem.csq', s.csq, (c) => `${c.rssi},${c.ber}`);
  cite('modem.cesq', s.cesq, (c) => [c.rxlev, c.ber, c.rscp, c.ecno, c.rsrq, c.rsrp].join(','));
  for (const [name, status] of [['creg', s.creg], ['cgreg', s.cgreg], ['cereg', s.cereg]] as const) {
    cite(`modem.${name}`, status, (r) => `${r.n},${r.stat}`);
  }
  const observation: Observation = { readings, evidence };
  if (identity) observation.identity = identity;
  if (allProblems.length > 0) observation.problems = allProblems;
  return observation;
}

/** What AT+CGMI / +CGMM / +CGMR / +CGSN answered (first information line each), ATI's lines as fallback. */
export interface IdentityAnswers {
  manufacturer?: string;
  model?: string;
  revision?: string;
  serialNumber?: string;
  ati?: string[];
}

/**
 * Who the modem is. Some firmware prefixes answers (`+CGMR: …`, `Revision: …`); the serial is the IMEI
 * only when it is 14–17 digits. IMSI and ICCID are never read: they identify the subscriber and SIM.
 */
export function modemIdentity(a: IdentityAnswers, address: string): DeviceIdentity {
  const identity: DeviceIdentity = { kind: 'modem', address };
  const ati = a.ati ?? [];
  const vendor = clean(a.manufacturer) ?? clean(ati[0]);
  const model = clean(a.model) ?? clean(ati[1]);
  const firmware = clean(a.revision) ?? clean(ati.find((line) => /^revision:/i.test(line)));
  const imei = clean(a.serialNumber);
  if (vendor) identity.vendor = vendor;
  if (model) identity.model = model;
  if (firmware) identity.firmware = firmware;
  if (imei && /^\d{14,17}$/.test(imei)) identity.serial = imei;
  return identity;
}

function clean(line: string | undefined): string | undefined {
  if (line === undefined) return undefined;
  const value = (afterPrefix(line, 'Revision') ?? line.replace(/^\+[A-Z]+:\s*/i, '')).replace(/^"|"$/g, '').trim();
  return value.length > 0 && value.length <= 128 ? value : undefined;
}
