import { describe, expect, it } from 'vitest';
import { EscPosPrinterEmulator } from '../../../src/devices/printer/emulator/escpos-printer.js';

const hex = (b: Buffer) => b.toString('hex');
const bytes = (h: string) => Buffer.from(h.replace(/\s+/g, ''), 'hex');
const STATUS_ROUND = bytes('100401100402100403100404');

describe('ESC/POS printer emulator', () => {
  it('answers DLE EOT 1..4 as a healthy printer', () => {
    expect(hex(new EscPosPrinterEmulator().handleInput(STATUS_ROUND))).toBe('12121212');
    expect(hex(new EscPosPrinterEmulator({ drawerPinHigh: true }).handleInput(STATUS_ROUND))).toBe('16121212');
  });

  it('reports each state on the bits the reference gives', () => {
    const round = (state: ConstructorParameters<typeof EscPosPrinterEmulator>[0]) =>
      hex(new EscPosPrinterEmulator(state).handleInput(STATUS_ROUND));
    expect(round({ paper: 'near_end' })).toBe('1212121e');
    expect(round({ paper: 'end' })).toBe('1a321272');
    expect(round({ coverOpen: true })).toBe('1a161212');
    expect(round({ cutterJam: true })).toBe('1a521a12');
    expect(round({ headOverheat: true })).toBe('3a525212');
    expect(round({ unrecoverable: true })).toBe('1a523212');
    expect(round({ offline: true })).toBe('1a121212');
  });

  it('handles commands split across writes and ignores print data', () => {
    const e = new EscPosPrinterEmulator({ paper: 'end' });
    expect(hex(e.handleInput(Buffer.from('hello\n', 'ascii')))).toBe('');
    expect(hex(e.handleInput(bytes('4142 10')))).toBe('');
    expect(hex(e.handleInput(bytes('04')))).toBe('');
    expect(hex(e.handleInput(bytes('04 1004')))).toBe('72');
    expect(hex(e.handleInput(bytes('01')))).toBe('1a');
  });

  it('GS a enables ASB and reports the current state once; GS a 0 turns it off', () => {
    const e = new EscPosPrinterEmulator({ paper: 'near_end' });
    expect(hex(e.handleInput(bytes('1d610f')))).toBe('10000300');
    expect(e.asbEnabled).toBe(true);
    expect(hex(e.handleInput(bytes('1d6100')))).toBe('');
    expect(e.asbEnabled).toBe(false);
    expect(hex(e.set({ paper: 'end' }))).toBe('');
  });

  it('sends an ASB packet on a change in an enabled category only', () => {
    const e = new EscPosPrinterEmulator();
    const sent: string[] = [];
    e.onOutput((b) => sent.push(hex(b)));
    e.handleInput(bytes('1d6108')); // paper sensor only
    expect(hex(e.set({ drawerPinHigh: true }))).toBe('');
    expect(hex(e.set({ paper: 'end' }))).toBe('1c000c00');
    expect(hex(e.set({ paper: 'end' }))).toBe('');
    e.handleInput(bytes('1d610f'));
    expect(hex(e.set({ coverOpen: true }))).toBe('3c000c00');
    expect(hex(e.set({ cutterJam: true }))).toBe('3c080c00');
    expect(sent).toEqual(['1c000c00', '3c000c00', '3c080c00']);
  });

  it('a silent printer answers nothing and sends nothing', () => {
    const e = new EscPosPrinterEmulator({ silent: true });
    expect(hex(e.handleInput(Buffer.concat([bytes('1d610f'), STATUS_ROUND])))).toBe('');
    expect(hex(e.set({ paper: 'end' }))).toBe('');
  });
});
