import { describe, expect, it } from 'vitest';
import { decodeAsb, enableAsb, isAsbHeader, ASB_ALL } from '../../../src/devices/printer/escpos-asb.js';
import { EscPosFrameParser } from '../../../src/devices/printer/escpos-frames.js';
import {
  decodeErrorCause,
  decodeOfflineCause,
  decodePaperStatus,
  decodePrinterStatus,
  dleEot,
  isStatusReply,
} from '../../../src/devices/printer/escpos-status.js';
import { asbObservation, disconnectedObservation, statusObservation } from '../../../src/devices/printer/printer-readings.js';
import { HEALTHY_PRINTER_READINGS } from '../../helpers/printer-mock.js';

const bytes = (hex: string) => Buffer.from(hex.replace(/\s+/g, ''), 'hex');

describe('request builders', () => {
  it('DLE EOT n is 10 04 n', () => {
    expect([1, 2, 3, 4].map((n) => dleEot(n as 1 | 2 | 3 | 4).toString('hex'))).toEqual(['100401', '100402', '100403', '100404']);
  });
  it('GS a n is 1D 61 n and rejects out-of-range masks', () => {
    expect(enableAsb(0x0f).toString('hex')).toBe('1d610f');
    expect(enableAsb(0).toString('hex')).toBe('1d6100');
    expect(ASB_ALL).toBe(0x0f);
    expect(() => enableAsb(256)).toThrow(RangeError);
  });
});

describe('DLE EOT replies', () => {
  it('recognises replies by the fixed bits 0xx1xx10', () => {
    for (const b of [0x12, 0x16, 0x1a, 0x32, 0x52, 0x72, 0x7e]) expect(isStatusReply(b)).toBe(true);
    // bit 0 set, bit 7 set, bit 1 clear, bit 4 clear, XON, XOFF
    for (const b of [0x13, 0x92, 0x10, 0x02, 0x11, 0x00, 0xff]) expect(isStatusReply(b)).toBe(false);
  });

  it('n=1: healthy 0x12 and 0x16 (drawer pin high), then each bit', () => {
    const none = { drawerPinHigh: false, offline: false, waitingForRecovery: false, feedButtonPressed: false };
    expect(decodePrinterStatus(0x12)).toEqual(none);
    expect(decodePrinterStatus(0x16)).toEqual({ ...none, drawerPinHigh: true });
    expect(decodePrinterStatus(0x1a)).toEqual({ ...none, offline: true });
    expect(decodePrinterStatus(0x32)).toEqual({ ...none, waitingForRecovery: true });
    expect(decodePrinterStatus(0x52)).toEqual({ ...none, feedButtonPressed: true });
  });

  it('n=2: each offline cause', () => {
    const none = { coverOpen: false, feedButtonFeeding: false, paperEndStop: false, errorOccurred: false };
    expect(decodeOfflineCause(0x12)).toEqual(none);
    expect(decodeOfflineCause(0x16)).toEqual({ ...none, coverOpen: true });
    expect(decodeOfflineCause(0x1a)).toEqual({ ...none, feedButtonFeeding: true });
    expect(decodeOfflineCause(0x32)).toEqual({ ...none, paperEndStop: true });
    expect(decodeOfflineCause(0x52)).toEqual({ ...none, errorOccurred: true });
  });

  it('n=3: each error cause', () => {
    const none = { mechanicalError: false, autocutterError: false, unrecoverableError: false, autoRecoverableError: false };
    expect(decodeErrorCause(0x12)).toEqual(none);
    expect(decodeErrorCause(0x16)).toEqual({ ...none, mechanicalError: true });
    expect(decodeErrorCause(0x1a)).toEqual({ ...none, autocutterError: true });
    expect(decodeErrorCause(0x32)).toEqual({ ...none, unrecoverableError: true });
    expect(decodeErrorCause(0x52)).toEqual({ ...none, autoRecoverableError: true });
  });

  it('n=4: near end on bit 2 or 3, paper end on bit 5 or 6', () => {
    expect(decodePaperStatus(0x12)).toEqual({ nearEnd: false, paperEnd: false });
    for (const b of [0x16, 0x1a, 0x1e]) expect(decodePaperStatus(b)).toEqual({ nearEnd: true, paperEnd: false });
    for (const b of [0x32, 0x52, 0x72]) expect(decodePaperStatus(b)).toEqual({ nearEnd: false, paperEnd: true });
    expect(decodePaperStatus(0x7e)).toEqual({ nearEnd: true, paperEnd: true });
  });

  it('refuses to decode a byte that is not a reply', () => {
    expect(() => decodePrinterStatus(0x10)).toThrow(RangeError);
    expect(() => decodePaperStatus(0x93)).toThrow(RangeError);
  });
});

describe('ASB packets', () => {
  it('decodes every bit of bytes 1-3', () => {
    const healthy = decodeAsb(bytes('10 00 00 00'));
    expect(Object.values(healthy).every((v) => v === false)).toBe(true);
    const cases: [string, keyof typeof healthy][] = [
      ['14 00 00 00', 'drawerPinHigh'],
      ['18 00 00 00', 'offline'],
      ['30 00 00 00', 'coverOpen'],
      ['50 00 00 00', 'feedButtonPressed'],
      ['10 01 00 00', 'waitingForRecovery'],
      ['10 04 00 00', 'mechanicalError'],
      ['10 08 00 00', 'autocutterError'],
      ['10 20 00 00', 'unrecoverableError'],
      ['10 40 00 00', 'autoRecoverableError'],
      ['10 00 03 00', 'nearEnd'],
      ['10 00 0c 00', 'paperEnd'],
    ];
    for (const [hex, field] of cases) expect(decodeAsb(bytes(hex)), hex).toEqual({ ...healthy, [field]: true });
  });

  it('rejects packets of the wrong shape', () => {
    expect(isAsbHeader(0x10)).toBe(true);
    expect(isAsbHeader(0x12)).toBe(false);
    expect(() => decodeAsb(bytes('12 00 00 00'))).toThrow(RangeError);
    expect(() => decodeAsb(bytes('10 10 00 00'))).toThrow(RangeError);
    expect(() => decodeAsb(bytes('10 00 00'))).toThrow(RangeError);
  });
});

describe('frame parser', () => {
  it('separates status replies from ASB packets', () => {
    const p = new EscPosFrameParser();
    expect(p.push(bytes('12 10 00 0c 00 72'))).toEqual([
      { type: 'status', byte: 0x12 },
      { type: 'asb', packet: bytes('10 00 0c 00') },
      { type: 'status', byte: 0x72 },
    ]);
  });

  it('reassembles an ASB packet split across chunks, skipping XON/XOFF between its bytes', () => {
    const p = new EscPosFrameParser();
    expect(p.push(bytes('11 18'))).toEqual([]);
    expect(p.push(bytes('13 00'))).toEqual([]);
    expect(p.push(bytes('03 11'))).toEqual([]);
    expect(p.push(bytes('00 16'))).toEqual([
      { type: 'asb', packet: bytes('18 00 03 00') },
      { type: 'status', byte: 0x16 },
    ]);
  });

  it('reports garbage as noise and keeps the replies around it', () => {
    const p = new EscPosFrameParser();
    expect(p.push(bytes('ff 80 12 01 02 13 1a'))).toEqual([
      { type: 'noise', bytes: bytes('ff 80') },
      { type: 'status', byte: 0x12 },
      { type: 'noise', bytes: bytes('01 02') },
      { type: 'status', byte: 0x1a },
    ]);
  });

  it('resynchronises when an ASB packet is cut short by a status reply', () => {
    const p = new EscPosFrameParser();
    // header + one body byte, then a DLE EOT reply (bit 4 set) that cannot continue the packet
    expect(p.push(bytes('10 00 72 10 00 00 00'))).toEqual([
      { type: 'noise', bytes: bytes('10 00') },
      { type: 'status', byte: 0x72 },
      { type: 'asb', packet: bytes('10 00 00 00') },
    ]);
  });

  it('forgets a partial packet on reset', () => {
    const p = new EscPosFrameParser();
    p.push(bytes('10 00'));
    p.reset();
    expect(p.push(bytes('00 00 12'))).toEqual([{ type: 'noise', bytes: bytes('00 00') }, { type: 'status', byte: 0x12 }]);
  });
});

describe('readings', () => {
  const healthy = HEALTHY_PRINTER_READINGS;

  it('a healthy Epson (0x12, or 0x16 with drawer pin high) is healthy', () => {
    expect(statusObservation({ printer: 0x12, offlineCause: 0x12, errorCause: 0x12, paper: 0x12 })).toEqual({
      readings: healthy,
      evidence: { 'printer.status_hex': '12 12 12 12' },
    });
    expect(statusObservation({ printer: 0x16, offlineCause: 0x12, errorCause: 0x12, paper: 0x12 }).readings).toEqual(healthy);
  });

  it('maps each condition of the four statuses', () => {
    const r = (printer: number, offlineCause: number, errorCause: number, paper: number) =>
      statusObservation({ printer, offlineCause, errorCause, paper }).readings;
    expect(r(0x1a, 0x12, 0x12, 0x12)).toEqual({ ...healthy, 'printer.online': false });
    expect(r(0x1a, 0x16, 0x12, 0x12)).toEqual({ ...healthy, 'printer.online': false, 'printer.cover_open': true });
    expect(r(0x1a, 0x52, 0x1a, 0x12)).toEqual({ ...healthy, 'printer.online': false, 'printer.cutter_error': true });
    expect(r(0x3a, 0x52, 0x52, 0x12)).toEqual({ ...healthy, 'printer.online': false, 'printer.head_overheat': true });
    expect(r(0x1a, 0x52, 0x32, 0x12)).toEqual({ ...healthy, 'printer.online': false, 'printer.unrecoverable_error': true });
    expect(r(0x1a, 0x52, 0x16, 0x12)).toEqual({ ...healthy, 'printer.online': false, 'printer.mechanical_error': true });
    expect(r(0x12, 0x12, 0x12, 0x1e)).toEqual({ ...healthy, 'printer.paper': 'near_end' });
    expect(r(0x1a, 0x32, 0x12, 0x72)).toEqual({ ...healthy, 'printer.online': false, 'printer.paper': 'end' });
  });

  it('an unanswered status leaves its readings out, and paper unknown (never ok)', () => {
    const o = statusObservation({ printer: 0x12, offlineCause: 0x12, errorCause: 0x12 });
    expect(o.readings['printer.paper']).toBe('unknown');
    expect(o.evidence).toEqual({ 'printer.status_hex': '12 12 12 --' });
    expect(o.problems).toEqual([{ reading: 'printer.paper', message: 'no answer to DLE EOT 4' }]);
    const p = statusObservation({ printer: 0x1a, offlineCause: 0x32 });
    expect(p.readings).toEqual({ 'printer.connected': true, 'printer.online': false, 'printer.cover_open': false, 'printer.paper': 'end' });
  });

  it('maps an ASB packet', () => {
    expect(asbObservation(bytes('10 00 00 00'))).toEqual({ readings: healthy, evidence: { 'printer.asb_hex': '10 00 00 00' } });
    expect(asbObservation(bytes('18 00 0c 00')).readings).toEqual({ ...healthy, 'printer.online': false, 'printer.paper': 'end' });
    expect(asbObservation(bytes('10 00 03 00')).readings['printer.paper']).toBe('near_end');
    expect(asbObservation(bytes('38 00 00 00')).readings).toEqual({ ...healthy, 'printer.online': false, 'printer.cover_open': true });
    expect(asbObservation(bytes('18 68 00 00')).readings).toMatchObject({
      'printer.cutter_error': true,
      'printer.unrecoverable_error': true,
      'printer.head_overheat': true,
    });
  });

  it('a disconnected printer reports only connected=false', () => {
    expect(disconnectedObservation('gone').readings).toEqual({ 'printer.connected': false });
  });
});
