import { afterEach, describe, expect, it } from 'vitest';
import type { Observation } from '../../../src/core/readings.js';
import { ROUNDS } from '../../../src/devices/printer/confirmed-status.js';
import { closeMockPrinters, HEALTHY_PRINTER_READINGS, mockPrinter, pollSettled, until } from '../../helpers/printer-mock.js';

/**
 * The serial printer driver on a noisy line, byte by byte (mock binding, FakeClock): what it counts as
 * line errors, and which status bytes it believes. The emulator puts exact noise on the wire.
 */

afterEach(closeMockPrinters);

const healthy = (lineErrors: number) => ({ ...HEALTHY_PRINTER_READINGS, 'printer.line_errors': lineErrors });
const paperEnd = (lineErrors: number) => ({ ...healthy(lineErrors), 'printer.online': false, 'printer.paper': 'end' });
const bytes = (hex: string) => Buffer.from(hex.replace(/\s+/g, ''), 'hex');
/** Lets the mock port deliver what is on the wire (its I/O runs on ticks, not on the fake clock). */
const delivered = async (clock: { advance(ms: number): Promise<void> }) => {
  for (let i = 0; i < 20; i++) await clock.advance(0);
};

describe('serial printer on a noisy line', () => {
  it('counts every discarded byte per poll window: garbage, a broken ASB packet, a stray status byte, a stray block', async () => {
    const { driver, clock, emulator } = await mockPrinter();
    expect((await pollSettled(driver, clock)).readings).toEqual(healthy(0));
    // ff 80: no reply; 10 00 then 12: an ASB header and a body cut short by a status-shaped byte, which
    // nobody asked for; 5f 41 00: a block outside an identity query is noise (3 bytes).
    emulator.lineNoise(bytes('ff 80 10 00 12 5f 41 00'));
    await delivered(clock);
    expect((await pollSettled(driver, clock)).readings).toEqual(healthy(8));
    // A new poll window starts clean.
    expect((await pollSettled(driver, clock)).readings).toEqual(healthy(0));
  });

  it('does not believe a status-shaped noise byte that answered for the printer: the round is asked again', async () => {
    const { driver, clock, emulator } = await mockPrinter();
    await pollSettled(driver, clock);
    // 0x7a passes the DLE EOT test (0xx1xx10) and says "offline"; the printer's own 0x12 comes right
    // after it, unasked, and is counted: that round is noisy and not believed.
    emulator.lineNoise(bytes('7a'), 1);
    const o = await pollSettled(driver, clock);
    expect(o.readings).toEqual(healthy(1));
    expect(o.evidence).toEqual({ 'printer.status_hex': '12 12 12 12' });
  });

  it('a change is read twice before it counts', async () => {
    const { driver, clock, emulator } = await mockPrinter();
    await pollSettled(driver, clock);
    emulator.set({ paper: 'end' });
    const o = await pollSettled(driver, clock);
    expect(o.readings).toEqual(paperEnd(0));
    expect(o.evidence).toEqual({ 'printer.status_hex': '1a 32 12 72' });
  });

  it('a line too noisy to confirm holds the last confirmed status; the first clean poll reads the truth', async () => {
    const { driver, clock, emulator } = await mockPrinter();
    await pollSettled(driver, clock);
    emulator.set({ paper: 'end' });
    // A garbage byte ahead of every reply of every round the poll may spend.
    emulator.lineNoise(bytes('ff'), ROUNDS * 4);
    const noisy = await pollSettled(driver, clock);
    expect(noisy.readings).toEqual(healthy(ROUNDS * 4));
    expect(noisy.evidence).toEqual({ 'printer.status_hex': '12 12 12 12', 'printer.unconfirmed_hex': '1a 32 12 72' });
    expect((await pollSettled(driver, clock)).readings).toEqual(paperEnd(0));
  });

  it('before anything was confirmed, a noisy line reports the paper as unknown and nothing else', async () => {
    const { driver, clock, emulator } = await mockPrinter();
    emulator.lineNoise(bytes('ff'), ROUNDS * 4);
    expect((await pollSettled(driver, clock)).readings).toEqual({ 'printer.paper': 'unknown', 'printer.line_errors': ROUNDS * 4 });
  });

  it('an ASB packet the printer did not send is checked with DLE EOT and dropped; a real one still counts', async () => {
    const { driver, clock, emulator } = await mockPrinter();
    const seen: Observation[] = [];
    driver.watch((o) => seen.push(o));
    await until(clock, () => seen.length === 1);
    // 18 20 00 00 has ASB's fixed bits and says "unrecoverable error": the printer says otherwise.
    emulator.lineNoise(bytes('18 20 00 00'));
    await delivered(clock);
    expect(seen).toHaveLength(1);
    expect((await pollSettled(driver, clock)).readings).toEqual(healthy(0));

    emulator.set({ paper: 'end' });
    await until(clock, () => seen.length === 2);
    expect(seen[1]!.readings).toEqual(paperEnd(0));
    expect(seen[1]!.evidence).toEqual({ 'printer.asb_hex': '18 00 0c 00', 'printer.status_hex': '1a 32 12 72' });
  });
});
