import { describe, expect, it } from 'vitest';
import { parseDeviceId, parseDeviceIdText } from '../../../src/drivers/transports/usb/ieee1284.js';
import { decodePortStatus, getDeviceId, getPortStatus } from '../../../src/drivers/transports/usb/printer-class.js';

const withLength = (text: string, order: 'big' | 'little') => {
  const body = Buffer.from(text, 'latin1');
  const len = Buffer.alloc(2);
  if (order === 'big') len.writeUInt16BE(body.length + 2);
  else len.writeUInt16LE(body.length + 2);
  return Buffer.concat([len, body]);
};

describe('IEEE 1284 device ID', () => {
  const EPSON = 'MFG:EPSON;CMD:ESC/POS;MDL:TM-T20II;CLS:PRINTER;DES:EPSON TM-T20II;SN:X4NK012345;';

  it('big-endian length (the standard): short keys', () => {
    const id = parseDeviceId(withLength(EPSON, 'big'));
    expect(id).toEqual({
      fields: { MFG: 'EPSON', CMD: 'ESC/POS', MDL: 'TM-T20II', CLS: 'PRINTER', DES: 'EPSON TM-T20II', SN: 'X4NK012345' },
      manufacturer: 'EPSON',
      model: 'TM-T20II',
      commandSet: ['ESC/POS'],
      serial: 'X4NK012345',
      description: 'EPSON TM-T20II',
      lengthOrder: 'big',
    });
  });

  it('little-endian length (firmware bug) and long keys, comma lists', () => {
    const id = parseDeviceId(withLength('MANUFACTURER:Xprinter;COMMAND SET:ESC/POS, GB18030;MODEL:XP-58;SERN:42;', 'little'));
    expect(id).toMatchObject({ lengthOrder: 'little', manufacturer: 'Xprinter', model: 'XP-58', commandSet: ['ESC/POS', 'GB18030'], serial: '42' });
  });

  it('the length bounds the text: trailing bytes past it are ignored', () => {
    const raw = Buffer.concat([withLength('MFG:A;MDL:B;', 'big'), Buffer.from('SN:NOT-MINE;')]);
    expect(parseDeviceId(raw)).toMatchObject({ manufacturer: 'A', model: 'B', lengthOrder: 'big' });
    expect(parseDeviceId(raw).serial).toBeUndefined();
  });

  it.each([
    ['empty', Buffer.alloc(0)],
    ['one byte', Buffer.from([0x10])],
    ['binary garbage', Buffer.from('0010ff00fe3a3a3b3b00c3a9', 'hex')],
    ['pairs without keys or values', withLength(';;:x;MFG:;MDL;=;', 'big')],
  ])('malformed (%s) never throws and invents nothing', (_name, raw) => {
    const id = parseDeviceId(raw);
    expect(id.manufacturer).toBeUndefined();
    expect(id.model).toBeUndefined();
    expect(id.commandSet).toEqual([]);
  });

  it('a length that fits neither way: the rest is read as text, flagged invalid', () => {
    expect(parseDeviceId(Buffer.from('ffff4d46473a583b', 'hex'))).toMatchObject({ lengthOrder: 'invalid', manufacturer: 'X' });
  });

  it('usblp text (no length prefix), control characters dropped, first of duplicate keys kept', () => {
    expect(parseDeviceIdText('MFG:EPSON;\nMDL:TM-T88V;MDL:other;\0SN:after-nul;')).toMatchObject({ manufacturer: 'EPSON', model: 'TM-T88V' });
    expect(parseDeviceIdText('MFG:EPSON;\0SN:after-nul;').serial).toBeUndefined();
  });
});

describe('printer class requests and port status', () => {
  it('GET_DEVICE_ID and GET_PORT_STATUS setups', () => {
    expect(getDeviceId(0, 1, 2)).toEqual({ bmRequestType: 0xa1, bRequest: 0, wValue: 0, wIndex: 0x0102, wLength: 1023 });
    expect(getPortStatus(3)).toEqual({ bmRequestType: 0xa1, bRequest: 1, wValue: 0, wIndex: 3, wLength: 1 });
  });

  it('bit 5 paper empty, bit 4 select, bit 3 not error', () => {
    expect(decodePortStatus(0x18)).toEqual({ paperEmpty: false, selected: true, error: false });
    expect(decodePortStatus(0x38)).toEqual({ paperEmpty: true, selected: true, error: false });
    expect(decodePortStatus(0x10)).toEqual({ paperEmpty: false, selected: true, error: true });
    expect(decodePortStatus(0x08)).toEqual({ paperEmpty: false, selected: false, error: false });
    expect(decodePortStatus(0x00)).toEqual({ paperEmpty: false, selected: false, error: true });
  });
});
