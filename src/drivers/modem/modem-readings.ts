import type { DeviceIdentity, Observation, ReadingProblem, Readings } from '../../core/readings.js';
import { afterPrefix } from './at-params.js';
import { accessTechName, bestRegistration, type Operator, type RegistrationStatus } from './registration.js';
import { signalDbm, type Cesq, type Csq } from './signal.js';
import type { SimState } from './sim.js';

/** Turning what one poll learnt into the SPEC §4 readings. Pure. */

export interface ModemSnapshot {
  sim: SimState;
  csq?: Csq;
  cesq?: Cesq;
  creg?: RegistrationStatus;
  cgreg?: RegistrationStatus;
  cereg?: RegistrationStatus;
  operator?: Operator;
}

/** A modem that did not answer `AT`: that and nothing else, since nothing else is known. */
export function unresponsiveObservation(message: string): Observation {
  return { readings: { 'modem.responding': false }, problems: [{ reading: 'modem.responding', message }] };
}

export function modemObservation(s: ModemSnapshot, identity: DeviceIdentity | undefined, problems: ReadingProblem[]): Observation {
  const readings: Readings = {
    'modem.responding': true,
    'modem.sim': s.sim,
    'modem.registration': bestRegistration([s.creg, s.cgreg, s.cereg]),
  };
  const dbm = signalDbm(s.csq, s.cesq);
  if (dbm !== undefined) readings['modem.signal_dbm'] = dbm;
  if (s.operator?.name) readings['modem.operator'] = s.operator.name;
  // COPS names the technology in use; without it, the EPS domain, then GPRS, then CS.
  const tech = accessTechName(s.operator?.act ?? s.cereg?.act ?? s.cgreg?.act ?? s.creg?.act);
  if (tech) readings['modem.access_tech'] = tech;

  const evidence: Record<string, string> = {};
  if (s.csq) evidence['modem.csq'] = `${s.csq.rssi},${s.csq.ber}`;
  if (s.cesq) evidence['modem.cesq'] = [s.cesq.rxlev, s.cesq.ber, s.cesq.rscp, s.cesq.ecno, s.cesq.rsrq, s.cesq.rsrp].join(',');
  for (const [name, status] of [['creg', s.creg], ['cgreg', s.cgreg], ['cereg', s.cereg]] as const) {
    if (status) evidence[`modem.${name}`] = `${status.n},${status.stat}`;
  }
  const observation: Observation = { readings, evidence };
  if (identity) observation.identity = identity;
  if (problems.length > 0) observation.problems = problems;
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
