import { describe, expect, it } from 'vitest';
import { EscPosFrameParser } from '../../../src/devices/printer/escpos-frames.js';
import { gsI, identityFromReplies, isIdentityByte } from '../../../src/devices/printer/escpos-identity.js';
import { dleEnq, SELF_RECOVERY } from '../../../src/devices/printer/escpos-recovery.js';
import { encodeLine, encodeReceipt, feed, PARTIAL_CUT } from '../../../src/devices/printer/receipt.js';
import { RecoveryPolicy } from '../../../src/devices/printer/self-recovery.js';
import { EscPosPrinterEmulator } from '../../../src/devices/printer/emulator/escpos-printer.js';

const bytes = (hex: string) => Buffer.from(hex.replace(/\s+/g, ''), 'hex');
const hex = (b: Buffer) => b.toString('hex');

describe('GS I and DLE ENQ codecs', () => {
  it('GS I n is 1D 49 n for n = 1..3 and 65..69 only', () => {
    expect([1, 2, 3, 65, 68, 69].map((n) => hex(gsI(n)))).toEqual(['1d4901', '1d4902', '1d4903', '1d4941', '1d4944', '1d4945']);
    for (const n of [0, 4, 64, 70]) expect(() => gsI(n)).toThrow(RangeError);
  });
  it('one-byte identity replies match 0xx0xxxx', () => {
    for (const b of [0x00, 0x0d, 0x20, 0x6f]) expect(isIdentityByte(b)).toBe(true);
    for (const b of [0x10, 0x12, 0x80, 0xff]) expect(isIdentityByte(b)).toBe(false);
  });
  it('DLE ENQ n is 10 05 n; self-recovery clears the buffers (n = 2)', () => {
    expect(hex(dleEnq(1))).toBe('100501');
    expect(hex(SELF_RECOVERY)).toBe('100502');
    expect(() => dleEnq(3 as 1)).toThrow(RangeError);
  });
  it('replies → identity: blocks win, bytes stand in, nothing → undefined', () => {
    expect(identityFromReplies({ modelId: 0x20, versionId: 5, maker: ' EPSON ', model: 'TM-T88V' }, '/dev/ttyS1')).toEqual({
      kind: 'printer', address: '/dev/ttyS1', vendor: 'EPSON', model: 'TM-T88V', firmware: 'version 0x05',
    });
    expect(identityFromReplies({ modelId: 0x0d }, 'x')).toEqual({ kind: 'printer', address: 'x', model: 'id 0x0d' });
    expect(identityFromReplies({}, 'x')).toBeUndefined();
  });
});

describe('GS I blocks in the frame parser', () => {
  it('only while expected; split across chunks; XOFF inside is dropped', () => {
    const p = new EscPosFrameParser();
    expect(p.push(bytes('5f 41 00 12'))).toEqual([{ type: 'noise', bytes: bytes('5f 41 00') }, { type: 'status', byte: 0x12 }]);
    p.expectBlocks(true);
    expect(p.push(bytes('5f 45 50 53'))).toEqual([]);
    expect(p.push(bytes('13 4f 4e 00 12'))).toEqual([{ type: 'block', text: 'EPSON' }, { type: 'status', byte: 0x12 }]);
  });
  it('a broken block resynchronises: the bytes become noise and a following reply is kept', () => {
    const p = new EscPosFrameParser();
    p.expectBlocks(true);
    expect(p.push(bytes('5f 41 42 12 10 00 00 00'))).toEqual([
      { type: 'noise', bytes: bytes('5f 41 42') },
      { type: 'status', byte: 0x12 },
      { type: 'asb', packet: bytes('10 00 00 00') },
    ]);
  });
  it('an over-long run is not a block', () => {
    const p = new EscPosFrameParser();
    p.expectBlocks(true);
    const frames = p.push(Buffer.concat([bytes('5f'), Buffer.alloc(100, 0x41), bytes('00')]));
    expect(frames.some((f) => f.type === 'block')).toBe(false);
  });
});

describe('receipt bytes', () => {
  it('English: ESC @, ASCII lines with LF, ESC d 4, GS V 1', () => {
    expect(hex(encodeReceipt(['Self-test', 'OK']))).toBe('1b40' + '53656c662d74657374' + '0a' + '4f4b' + '0a' + '1b6404' + '1d5601');
  });
  it('Chinese: GB18030 inside FS & … FS .', () => {
    // 打印 = b4f2 d3a1 in GB18030
    expect(hex(encodeLine('打印'))).toBe('1c26' + 'b4f2d3a1' + '1c2e');
    expect(hex(encodeLine('打印 OK'))).toBe('1c26' + 'b4f2d3a1204f4b' + '1c2e');
  });
  it('control characters cannot smuggle commands; embedded newlines split lines; options', () => {
    expect(hex(encodeLine('a\u001bb'))).toBe('612062');
    expect(hex(encodeReceipt(['a\nb'], { feedLines: 0, cut: false }))).toBe('1b40' + '610a' + '620a' + '1b6400');
    expect(hex(feed(2))).toBe('1b6402');
    expect(hex(PARTIAL_CUT)).toBe('1d5601');
    expect(() => feed(256)).toThrow(RangeError);
  });
});

describe('emulator: identity, recovery, paper', () => {
  it('answers GS I bytes and blocks, or nothing when it has no identity', () => {
    const e = new EscPosPrinterEmulator();
    expect(hex(e.handleInput(bytes('1d4901 1d4903')))).toBe('2005');
    expect(e.handleInput(bytes('1d4942')).toString('latin1')).toBe('_EPSON\0');
    expect(hex(new EscPosPrinterEmulator({ identity: null }).handleInput(bytes('1d4901 1d4942')))).toBe('');
  });
  it('DLE ENQ clears a jam only when nothing is stuck and the cover is closed; ASB reports it', () => {
    const e = new EscPosPrinterEmulator({ cutterJam: true, cutterObstructed: true });
    const sent: string[] = [];
    e.onOutput((b) => sent.push(hex(b)));
    e.handleInput(bytes('1d610f'));
    e.handleInput(bytes('100502'));
    expect(e.state.cutterJam).toBe(true);
    e.set({ cutterObstructed: false, coverOpen: true });
    e.handleInput(bytes('100501'));
    expect(e.state.cutterJam).toBe(true);
    e.set({ coverOpen: false });
    e.handleInput(bytes('100501'));
    expect(e.state.cutterJam).toBe(false);
    expect(e.recoveryRequests).toBe(3);
    expect(sent.at(-1)).toBe('10000000');
  });
  it('records printed lines and cuts, keeps status commands working in between', () => {
    const e = new EscPosPrinterEmulator();
    const receipt = encodeReceipt(['打印机正常', 'Printer OK']);
    expect(hex(e.handleInput(Buffer.concat([receipt.subarray(0, 7), bytes('100404'), receipt.subarray(7)])))).toBe('12');
    e.handleInput(encodeReceipt(['second'], { cut: false }));
    expect(e.receipts).toEqual([
      { lines: ['打印机正常', 'Printer OK'], cut: true },
      { lines: ['second'], cut: false },
    ]);
  });
});

describe('recovery policy', () => {
  const base = { 'printer.connected': true, 'printer.cover_open': false, 'printer.unrecoverable_error': false, 'printer.cutter_error': true };
  it('once per episode, again after the cover is opened and closed, never with the cover open', () => {
    const p = new RecoveryPolicy();
    expect(p.shouldRecover(base)).toBe(true);
    expect(p.shouldRecover(base)).toBe(false);
    expect(p.shouldRecover({ ...base, 'printer.cover_open': true })).toBe(false);
    expect(p.shouldRecover(base)).toBe(true);
    expect(p.shouldRecover({ ...base, 'printer.cutter_error': false })).toBe(false);
    expect(p.shouldRecover(base)).toBe(true); // a new episode
  });
  it('not for an unrecoverable error, not without the cover reading, not when disconnected', () => {
    expect(new RecoveryPolicy().shouldRecover({ ...base, 'printer.unrecoverable_error': true })).toBe(false);
    const { 'printer.cover_open': _, ...noCover } = base;
    expect(new RecoveryPolicy().shouldRecover(noCover)).toBe(false);
    expect(new RecoveryPolicy().shouldRecover({ 'printer.connected': false })).toBe(false);
    expect(new RecoveryPolicy().shouldRecover({ ...base, 'printer.cutter_error': false, 'printer.mechanical_error': true })).toBe(true);
  });
});
