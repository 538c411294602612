import { describe, expect, it } from 'vitest';
import { AtLineParser, MAX_AT_LINE } from '../../../src/devices/modem/at-lines.js';
import { splitParams } from '../../../src/devices/modem/at-params.js';
import { AtResponseCollector, finalResult, infoPrefix, type AtResponse } from '../../../src/devices/modem/at-response.js';
import { cmeCode, cmeText } from '../../../src/devices/modem/cme-errors.js';
import { modemIdentity } from '../../../src/devices/modem/modem-readings.js';
import { bestRegistration, parseCops, parseRegistration, accessTechName } from '../../../src/devices/modem/registration.js';
import { cesqToDbm, parseCesq, parseCsq, rssiToDbm, signalDbm, type Cesq } from '../../../src/devices/modem/signal.js';
import { parseSimState, simFromCpinValue } from '../../../src/devices/modem/sim.js';

/** The AT codec, byte by byte and line by line: framing, collection, and every value parser. */

const bytes = (text: string) => Buffer.from(text, 'latin1');

/** Feeds `wire` (as a modem would send it) through the line parser and a collector for `command`. */
function collect(command: string, wire: string): AtResponse {
  const parser = new AtLineParser();
  const collector = new AtResponseCollector(command);
  for (const line of parser.push(bytes(wire))) {
    const done = collector.push(line);
    if (done) return done;
  }
  throw new Error(`no final result in ${JSON.stringify(wire)}`);
}

const ok = (command: string, ...lines: string[]): AtResponse => ({ command, lines, final: { kind: 'ok' }, urcs: [], echoed: false });

describe('AtLineParser', () => {
  it('splits \\r\\n framing, drops blank lines, keeps echo ended by a bare \\r', () => {
    const p = new AtLineParser();
    expect(p.push(bytes('AT+CSQ\r\r\n+CSQ: 20,99\r\n\r\nOK\r\n'))).toEqual(['AT+CSQ', '+CSQ: 20,99', 'OK']);
  });

  it('joins a line split across chunks, byte by byte', () => {
    const p = new AtLineParser();
    const out: string[] = [];
    for (const b of bytes('\r\n+CPIN: READY\r\n\r\nOK\r\n')) out.push(...p.push(Uint8Array.of(b)));
    expect(out).toEqual(['+CPIN: READY', 'OK']);
  });

  it('discards lines holding bytes that are not AT text, and over-long runs, counting every byte', () => {
    const noise: number[] = [];
    const p = new AtLineParser((n) => noise.push(n));
    // 3 bytes of garbage, a line with a NUL in it (4 bytes), tab and printable text kept.
    expect(p.push(bytes('\xff\x80\x13\r\nO\x00K!\r\n\r\n+CSQ:\t20,99\r\nOK\r\n'))).toEqual(['+CSQ:\t20,99', 'OK']);
    expect(noise).toEqual([3, 4]);
    noise.length = 0;
    // A run past MAX_AT_LINE without an end: dropped as it grows, its tail dropped up to the line end.
    expect(p.push(bytes('A'.repeat(MAX_AT_LINE + 1)))).toEqual([]);
    expect(p.push(bytes('BBB\r\nOK\r\n'))).toEqual(['OK']);
    expect(noise).toEqual([MAX_AT_LINE + 1, 3]);
    noise.length = 0;
    expect(p.push(bytes(`\r\n${'C'.repeat(MAX_AT_LINE + 1)}\r\nRDY\r\n`))).toEqual(['RDY']);
    expect(noise).toEqual([MAX_AT_LINE + 1]);
  });

  it('accepts bare \\n endings and forgets a partial line on reset', () => {
    const p = new AtLineParser();
    expect(p.push(bytes('RDY\n+CFUN: 1\nOK'))).toEqual(['RDY', '+CFUN: 1']);
    p.reset();
    expect(p.push(bytes('\r\n'))).toEqual([]);
  });
});

describe('final result codes and +CME ERROR', () => {
  it('recognises OK, ERROR, numeric and verbose +CME ERROR, +CMS ERROR', () => {
    expect(finalResult('OK')).toEqual({ kind: 'ok' });
    expect(finalResult('ERROR')).toEqual({ kind: 'error' });
    expect(finalResult('+CME ERROR: 10')).toEqual({ kind: 'cme_error', code: 10, text: '10' });
    expect(finalResult('+CME ERROR: SIM not inserted')).toEqual({ kind: 'cme_error', code: 10, text: 'SIM not inserted' });
    expect(finalResult('+CME ERROR:sim puk required')).toEqual({ kind: 'cme_error', code: 12, text: 'sim puk required' });
    expect(finalResult('+CME ERROR: frobnicated')).toEqual({ kind: 'cme_error', code: undefined, text: 'frobnicated' });
    expect(finalResult('+CMS ERROR: 500')).toEqual({ kind: 'cms_error', text: '500' });
    expect(finalResult('+CSQ: 20,99')).toBeUndefined();
    expect(finalResult('OKAY')).toBeUndefined();
  });

  it('maps codes and texts both ways', () => {
    expect(cmeText(11)).toBe('SIM PIN required');
    expect(cmeCode('"SIM failure"')).toBe(13);
    expect(cmeCode('30')).toBe(30);
    expect(cmeText(9999)).toBe('unknown');
  });
});

describe('AtResponseCollector', () => {
  it('takes the prefix from the command', () => {
    expect(infoPrefix('AT+CREG?')).toBe('+CREG');
    expect(infoPrefix('at+csq')).toBe('+CSQ');
    expect(infoPrefix('AT+CMEE=2')).toBe('+CMEE');
    expect(infoPrefix('ATE0')).toBeUndefined();
  });

  it('separates echo, information and URCs interleaved anywhere', () => {
    const r = collect('AT+CSQ', 'AT+CSQ\r\r\nRDY\r\n\r\n+CSQ: 17,99\r\n\r\n+CPIN: READY\r\n\r\nOK\r\n');
    expect(r).toEqual({ command: 'AT+CSQ', lines: ['+CSQ: 17,99'], final: { kind: 'ok' }, urcs: ['RDY', '+CPIN: READY'], echoed: true });
  });

  it('ends on an error with no information', () => {
    const r = collect('AT+CPIN?', '\r\n+CME ERROR: SIM not inserted\r\n');
    expect(r.final).toEqual({ kind: 'cme_error', code: 10, text: 'SIM not inserted' });
    expect(r.lines).toEqual([]);
    expect(r.echoed).toBe(false);
  });

  it('takes bare text for identity commands but not bare URCs or other +NAME lines', () => {
    const r = collect('ATI', '\r\nQuectel\r\nEC25\r\n+CFUN: 1\r\nSMS DONE\r\nRevision: EC25EFAR06A06M4G\r\n\r\nOK\r\n');
    expect(r.lines).toEqual(['Quectel', 'EC25', 'Revision: EC25EFAR06A06M4G']);
    expect(r.urcs).toEqual(['+CFUN: 1', 'SMS DONE']);
  });

  it('sets aside a stray OK (a timed-out command\'s tail) before a query\'s information', () => {
    const r = collect('AT+CPIN?', '\r\n+CSQ: 20,99\r\n\r\nOK\r\n\r\n+CPIN: READY\r\n\r\nOK\r\n');
    expect(r).toMatchObject({ lines: ['+CPIN: READY'], final: { kind: 'ok' }, urcs: ['+CSQ: 20,99', 'OK'] });
    expect(collect('ATI', '\r\nOK\r\nQuectel\r\nOK\r\n').lines).toEqual(['Quectel']);
    // Commands that answer no information take the first OK.
    expect(collect('AT+CMEE=2', '\r\nOK\r\n').final).toEqual({ kind: 'ok' });
    expect(collect('ATE0', 'ATE0\r\r\nOK\r\n').echoed).toBe(true);
  });

  it('keeps a same-named URC as information for the value parser to tell apart', () => {
    const r = collect('AT+CREG?', '\r\n+CREG: 2\r\n\r\n+CREG: 0,1\r\n\r\nOK\r\n');
    expect(r.lines).toEqual(['+CREG: 2', '+CREG: 0,1']);
    expect(parseRegistration(r)).toEqual({ n: 0, stat: 1 });
  });
});

describe('+CPIN', () => {
  it.each([
    ['READY', 'ready'],
    ['SIM PIN', 'pin_required'],
    ['SIM PUK', 'puk_required'],
    ['PH-SIM PIN', 'pin_required'],
    ['PH-NET PUK', 'puk_required'],
    ['SIM PIN2', 'pin_required'],
    ['NOT READY', 'unknown'],
    ['BLOCKED', 'error'],
    ['garbage', 'unknown'],
  ] as const)('%s → %s', (value, state) => {
    expect(simFromCpinValue(value)).toBe(state);
    expect(parseSimState(collect('AT+CPIN?', `\r\n+CPIN:${value}\r\n\r\nOK\r\n`))).toBe(state);
  });

  it('reads the SIM state from +CME ERROR, numeric or verbose', () => {
    expect(parseSimState(collect('AT+CPIN?', '\r\n+CME ERROR: 10\r\n'))).toBe('missing');
    expect(parseSimState(collect('AT+CPIN?', '\r\n+CME ERROR: SIM PIN required\r\n'))).toBe('pin_required');
    expect(parseSimState(collect('AT+CPIN?', '\r\n+CME ERROR: 12\r\n'))).toBe('puk_required');
    expect(parseSimState(collect('AT+CPIN?', '\r\n+CME ERROR: 13\r\n'))).toBe('error');
    expect(parseSimState(collect('AT+CPIN?', '\r\n+CME ERROR: 14\r\n'))).toBe('unknown');
    expect(parseSimState(collect('AT+CPIN?', '\r\nERROR\r\n'))).toBe('unknown');
    expect(parseSimState(ok('AT+CPIN?'))).toBe('unknown');
  });
});

describe('signal', () => {
  it('maps rssi per 27.007', () => {
    expect(rssiToDbm(0)).toBe(-113);
    expect(rssiToDbm(1)).toBe(-111);
    expect(rssiToDbm(2)).toBe(-109);
    expect(rssiToDbm(15)).toBe(-83);
    expect(rssiToDbm(30)).toBe(-53);
    expect(rssiToDbm(31)).toBe(-51);
    expect(rssiToDbm(99)).toBeUndefined();
    expect(rssiToDbm(150)).toBeUndefined();
  });

  it('parses +CSQ with and without a space, rejects malformed lines', () => {
    expect(parseCsq(collect('AT+CSQ', '\r\n+CSQ:20,3\r\n\r\nOK\r\n'))).toEqual({ rssi: 20, ber: 3 });
    expect(parseCsq(ok('AT+CSQ', '+CSQ: 99,99'))).toEqual({ rssi: 99, ber: 99 });
    expect(parseCsq(ok('AT+CSQ', '+CSQ: 20'))).toBeUndefined();
    expect(parseCsq(ok('AT+CSQ', '+CSQ: x,1'))).toBeUndefined();
    expect(parseCsq(collect('AT+CSQ', '\r\nERROR\r\n'))).toBeUndefined();
  });

  it('parses +CESQ and takes RSRP, then RSCP, then RXLEV', () => {
    const lte = parseCesq(ok('AT+CESQ', '+CESQ: 99,99,255,255,20,50')) as Cesq;
    expect(lte).toEqual({ rxlev: 99, ber: 99, rscp: 255, ecno: 255, rsrq: 20, rsrp: 50 });
    expect(cesqToDbm(lte)).toBe(-91);
    expect(cesqToDbm({ ...lte, rsrp: 0 })).toBe(-141);
    expect(cesqToDbm({ ...lte, rsrp: 97 })).toBe(-44);
    expect(cesqToDbm({ ...lte, rsrp: 255, rscp: 40 })).toBe(-81);
    expect(cesqToDbm({ ...lte, rsrp: 255, rxlev: 30 })).toBe(-81);
    expect(cesqToDbm({ ...lte, rsrp: 255 })).toBeUndefined();
    expect(parseCesq(ok('AT+CESQ', '+CESQ: 99,99,255'))).toBeUndefined();
  });

  it('takes the signal from CESQ only when CSQ says unknown (LTE-only modems)', () => {
    const cesq = { rxlev: 99, ber: 99, rscp: 255, ecno: 255, rsrq: 20, rsrp: 35 };
    expect(signalDbm({ rssi: 99, ber: 99 }, cesq)).toBe(-106);
    expect(signalDbm({ rssi: 10, ber: 0 }, cesq)).toBe(-93);
    expect(signalDbm({ rssi: 99, ber: 99 }, undefined)).toBeUndefined();
    expect(signalDbm(undefined, { ...cesq, rsrp: 255 })).toBeUndefined();
  });
});

describe('registration', () => {
  it.each([
    ['+CREG: 0,1', { n: 0, stat: 1 }],
    ['+CREG:2,5,"00C3","0000A13F",7', { n: 2, stat: 5, lac: '00C3', ci: '0000A13F', act: 7 }],
    ['+CREG: 2,1,00c3,a13f', { n: 2, stat: 1, lac: '00C3', ci: 'A13F' }],
    ['+CREG: 1,2', { n: 1, stat: 2 }],
  ])('parses %s', (line, status) => {
    expect(parseRegistration(ok('AT+CREG?', line))).toEqual(status);
  });

  it('ignores URC-shaped lines and garbage', () => {
    expect(parseRegistration(ok('AT+CREG?', '+CREG: 1'))).toBeUndefined();
    expect(parseRegistration(ok('AT+CREG?', '+CREG: 1,"00C3","A13F"'))).toBeUndefined();
    expect(parseRegistration(ok('AT+CREG?', '+CREG: 1,00C3,A13F'))).toBeUndefined();
    expect(parseRegistration(ok('AT+CREG?', '+CREG: '))).toBeUndefined();
    expect(parseRegistration(collect('AT+CEREG?', '\r\n+CME ERROR: 4\r\n'))).toBeUndefined();
  });

  it('parses +CEREG with quoted TAC and a URC after it', () => {
    const r = collect('AT+CEREG?', '\r\n+CEREG: 2,1,"1A2B","01A2B3C4",7\r\n\r\n+CEREG: 1\r\n\r\nOK\r\n');
    expect(parseRegistration(r)).toEqual({ n: 2, stat: 1, lac: '1A2B', ci: '01A2B3C4', act: 7 });
  });

  it('combines domains: the best wins, denied outranks idle, unknown says least', () => {
    const s = (stat: number) => ({ n: 0, stat });
    expect(bestRegistration([s(0), s(0), s(1)])).toBe('home');
    expect(bestRegistration([s(5), undefined, s(0)])).toBe('roaming');
    expect(bestRegistration([s(3), s(0), undefined])).toBe('denied');
    expect(bestRegistration([s(3), s(2), s(0)])).toBe('searching');
    expect(bestRegistration([s(4), s(0)])).toBe('not_registered');
    expect(bestRegistration([s(4)])).toBe('unknown');
    expect(bestRegistration([s(8)])).toBe('not_registered');
    expect(bestRegistration([s(6), s(0)])).toBe('home');
    expect(bestRegistration([undefined, undefined])).toBe('unknown');
  });

  it('parses +COPS', () => {
    expect(parseCops(ok('AT+COPS?', '+COPS: 0,0,"CHINA MOBILE",7'))).toEqual({ mode: 0, name: 'CHINA MOBILE', act: 7 });
    expect(parseCops(ok('AT+COPS?', '+COPS:0,2,"46000"'))).toEqual({ mode: 0, name: '46000' });
    expect(parseCops(ok('AT+COPS?', '+COPS: 0'))).toEqual({ mode: 0 });
    expect(parseCops(ok('AT+COPS?', '+COPS: "x"'))).toBeUndefined();
    expect(accessTechName(7)).toBe('lte');
    expect(accessTechName(13)).toBe('en_dc');
    expect(accessTechName(42)).toBeUndefined();
  });

  it('splits parameters with commas inside quotes', () => {
    expect(splitParams('0,0,"Op, Inc",7')).toEqual({ values: ['0', '0', 'Op, Inc', '7'], quoted: [false, false, true, false] });
  });
});

describe('modem identity', () => {
  it('takes CGMI/CGMM/CGMR/CGSN, strips vendor prefixes, keeps only an IMEI-shaped serial', () => {
    expect(modemIdentity({ manufacturer: '+CGMI: "SIMCOM"', model: 'SIM7600E', revision: 'Revision: LE20B04', serialNumber: '490154203237518' }, '/dev/ttyUSB2')).toEqual({
      kind: 'modem',
      address: '/dev/ttyUSB2',
      vendor: 'SIMCOM',
      model: 'SIM7600E',
      firmware: 'LE20B04',
      serial: '490154203237518',
    });
    expect(modemIdentity({ serialNumber: 'ERROR-ish' }, '/dev/x').serial).toBeUndefined();
  });

  it('falls back to ATI lines', () => {
    expect(modemIdentity({ ati: ['Quectel', 'EC25', 'Revision: EC25EFAR06A06M4G'] }, '/dev/x')).toEqual({
      kind: 'modem',
      address: '/dev/x',
      vendor: 'Quectel',
      model: 'EC25',
      firmware: 'EC25EFAR06A06M4G',
    });
  });
});
