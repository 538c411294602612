import { describe, expect, it } from 'vitest';
import type { Observation } from '../../../src/core/readings.js';
import type { AtResponse } from '../../../src/devices/modem/at-response.js';
import { modemObservation, type ModemSnapshot } from '../../../src/devices/modem/modem-readings.js';
import { parseRegistration } from '../../../src/devices/modem/registration.js';
import { parseCesq, parseCsq } from '../../../src/devices/modem/signal.js';

/**
 * AT answers whose values 27.007 does not allow (at-ranges.ts), at their boundaries: just inside is a
 * reading (or "unknown" where the spec says so), just outside is a problem quoting the raw answer and
 * no reading of that name.
 */
const ok = (command: string, line: string): AtResponse => ({ command, lines: [line], final: { kind: 'ok' }, urcs: [], echoed: false });
const HOME = parseRegistration(ok('AT+CEREG?', '+CEREG: 0,1'));

function observe(answers: Partial<Record<'csq' | 'cesq' | 'creg' | 'cereg', string>>): Observation {
  const snapshot: ModemSnapshot = { sim: 'ready', cereg: HOME };
  if (answers.csq) snapshot.csq = parseCsq(ok('AT+CSQ', `+CSQ: ${answers.csq}`));
  if (answers.cesq) snapshot.cesq = parseCesq(ok('AT+CESQ', `+CESQ: ${answers.cesq}`));
  if (answers.creg) snapshot.creg = parseRegistration(ok('AT+CREG?', `+CREG: ${answers.creg}`));
  if (answers.cereg) snapshot.cereg = parseRegistration(ok('AT+CEREG?', `+CEREG: ${answers.cereg}`));
  return modemObservation(snapshot, undefined, []);
}

const problemsOf = (o: Observation, reading: string) => (o.problems ?? []).filter((p) => p.reading === reading).map((p) => p.message);

describe('+CSQ values', () => {
  it.each([
    ['0,0', -113],
    ['31,7', -51],
    ['20,99', -73],
  ])('%s is a signal of %i dBm', (csq, dbm) => {
    const o = observe({ csq });
    expect(o.readings['modem.signal_dbm']).toBe(dbm);
    expect(o.problems).toBeUndefined();
  });

  it.each(['99,99', '100,99', '191,0', '199,99'])('%s is "not known": no reading, no problem', (csq) => {
    const o = observe({ csq });
    expect(o.readings['modem.signal_dbm']).toBeUndefined();
    expect(o.problems).toBeUndefined();
  });

  it.each([
    ['32,0', '+CSQ: 32,0: rssi 32 is not 0..31, 99, 100..191 or 199'],
    ['98,99', '+CSQ: 98,99: rssi 98 is not 0..31, 99, 100..191 or 199'],
    ['192,99', '+CSQ: 192,99: rssi 192 is not 0..31, 99, 100..191 or 199'],
    ['-1,1', '+CSQ: -1,1: rssi -1 is not 0..31, 99, 100..191 or 199'],
    ['20,8', '+CSQ: 20,8: ber 8 is not 0..7 or 99'],
  ])('%s is a problem with the raw answer, and no signal reading', (csq, message) => {
    const o = observe({ csq });
    expect(o.readings['modem.signal_dbm']).toBeUndefined();
    expect(problemsOf(o, 'modem.signal_dbm')).toEqual([message]);
    expect(o.evidence?.['modem.csq']).toBe(csq);
  });

  it('an impossible CSQ does not hide a valid CESQ', () => {
    const o = observe({ csq: '45,99', cesq: '99,99,255,255,20,60' });
    expect(o.readings['modem.signal_dbm']).toBe(-81);
    expect(problemsOf(o, 'modem.signal_dbm')).toHaveLength(1);
  });
});

describe('+CESQ values', () => {
  it('RSRP 0 and 97 are readings, 255 is not known', () => {
    expect(observe({ cesq: '99,99,255,255,0,0' }).readings['modem.signal_dbm']).toBe(-141);
    expect(observe({ cesq: '99,99,255,255,34,97' }).readings['modem.signal_dbm']).toBe(-44);
    const unknown = observe({ cesq: '99,99,255,255,255,255' });
    expect([unknown.readings['modem.signal_dbm'], unknown.problems]).toEqual([undefined, undefined]);
  });

  it.each([
    ['99,99,255,255,20,98', 'rsrp 98 is not 0..97 or 255'],
    ['99,99,255,255,20,254', 'rsrp 254 is not 0..97 or 255'],
    ['99,99,255,255,35,50', 'rsrq 35 is not 0..34 or 255'],
    ['64,99,255,255,255,255', 'rxlev 64 is not 0..63 or 99'],
    ['99,99,97,255,255,255', 'rscp 97 is not 0..96 or 255'],
    ['99,99,255,50,255,255', 'ecno 50 is not 0..49 or 255'],
  ])('%s is a problem (%s), and no signal reading', (cesq, why) => {
    const o = observe({ cesq });
    expect(o.readings['modem.signal_dbm']).toBeUndefined();
    expect(problemsOf(o, 'modem.signal_dbm')).toEqual([`+CESQ: ${cesq}: ${why}`]);
  });
});

describe('+CxREG values', () => {
  it('stat 10 and n 5 are registrations', () => {
    expect(observe({ creg: '5,10', cereg: '0,0' }).readings['modem.registration']).toBe('roaming');
    expect(observe({ creg: '0,0', cereg: '0,0' }).readings['modem.registration']).toBe('not_registered');
  });

  it.each([
    ['0,11', 'stat 11 is not 0..10'],
    ['6,1', 'n 6 is not 0..5'],
    ['9,1', 'n 9 is not 0..5'],
  ])('%s alone is a problem (%s), and no registration reading', (creg, why) => {
    const snapshot: ModemSnapshot = { sim: 'ready', creg: parseRegistration(ok('AT+CREG?', `+CREG: ${creg}`)) };
    const o = modemObservation(snapshot, undefined, []);
    expect(o.readings['modem.registration']).toBeUndefined();
    expect(problemsOf(o, 'modem.registration')).toEqual([`+CREG: ${creg}: ${why}`]);
    expect(o.evidence?.['modem.creg']).toBe(creg);
  });

  it('an impossible domain leaves the registration to the valid ones', () => {
    const o = observe({ creg: '0,42' });
    expect(o.readings['modem.registration']).toBe('home');
    expect(problemsOf(o, 'modem.registration')).toEqual(['+CREG: 0,42: stat 42 is not 0..10']);
  });

  it('a valid read response wins over an impossible line in the same answer (a URC without quotes)', () => {
    const response: AtResponse = { command: 'AT+CREG?', lines: ['+CREG: 0,5', '+CREG: 1234,5678'], final: { kind: 'ok' }, urcs: [], echoed: false };
    expect(parseRegistration(response)).toEqual({ n: 0, stat: 5 });
  });

  it('an ERROR is no answer, not an impossible one: registration stays "unknown"', () => {
    const o = modemObservation({ sim: 'ready', creg: parseRegistration({ command: 'AT+CREG?', lines: [], final: { kind: 'error' }, urcs: [], echoed: false }) }, undefined, []);
    expect([o.readings['modem.registration'], o.problems]).toEqual(['unknown', undefined]);
  });
});
