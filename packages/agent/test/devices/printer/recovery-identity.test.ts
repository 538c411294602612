import iconv from 'iconv-lite';
import { afterEach, describe, expect, it } from 'vitest';
import type { Observation } from '../../../src/core/readings.js';
import { EMULATED_IDENTITY } from '../../../src/devices/printer/emulator/escpos-printer.js';
import { closeMockPrinters, mockPrinter, pollSettled, settled, until } from '../../helpers/printer-mock.js';

/** GS I identity, DLE ENQ self-recovery with its steps, and receipts, driver against emulator (mock binding). */

afterEach(closeMockPrinters);

describe('printer identity (GS I)', () => {
  it('is asked once after the open and rides on every connected observation', async () => {
    const { driver, clock, path, emulator } = await mockPrinter();
    const first = await pollSettled(driver, clock);
    expect(first.identity).toEqual({
      kind: 'printer',
      address: path,
      vendor: 'EPSON',
      model: 'TM-T20II',
      firmware: '30.01 ESC/POS',
      serial: 'SIM0000001',
    });
    // Not asked again while the line stays open: a changed answer is not seen until a reopen.
    emulator.set({ identity: { ...EMULATED_IDENTITY, serial: 'OTHER' } });
    expect((await pollSettled(driver, clock)).identity?.serial).toBe('SIM0000001');
  });

  it('a poll and an ASB change confirmed at the same time both carry the identity', async () => {
    const { driver, clock } = await mockPrinter();
    const seen: Observation[] = [];
    // Enabling ASB makes the printer report its state, confirmed while the first poll asks who it is.
    driver.watch((o) => seen.push(o));
    const polled = await pollSettled(driver, clock);
    await until(clock, () => seen.length === 1);
    expect(polled.identity?.serial).toBe('SIM0000001');
    expect(seen[0]!.identity?.serial).toBe('SIM0000001');
  });

  it('a printer without GS I is tolerated: no identity, readings intact', async () => {
    const { driver, clock } = await mockPrinter({ identity: null });
    const o = await pollSettled(driver, clock);
    expect(o.identity).toBeUndefined();
    expect(o.readings['printer.connected']).toBe(true);
    expect(o.readings['printer.paper']).toBe('ok');
  });

  it('a disconnected printer carries no identity', async () => {
    const { driver, clock } = await mockPrinter({ silent: true });
    expect((await pollSettled(driver, clock)).identity).toBeUndefined();
  });
});

describe('self-recovery (DLE ENQ)', () => {
  it('a cutter jam whose cause is gone is recovered on the same poll, and the step is reported', async () => {
    const { driver, clock, emulator } = await mockPrinter({ cutterJam: true });
    const o = await pollSettled(driver, clock);
    expect(emulator.recoveryRequests).toBe(1);
    expect(o.readings['printer.cutter_error']).toBe(false);
    expect(o.actions).toEqual([
      {
        action: 'printer.recover',
        at: '2026-01-01T00:00:00.000Z', // the attempt, on the FakeClock's start
        ok: true,
        detail: 'DLE ENQ 2 (recover from cutter/mechanical error, buffers cleared): error cleared',
        readings: ['printer.cutter_error', 'printer.mechanical_error'],
      },
    ]);
    // Steps are reported once.
    expect((await pollSettled(driver, clock)).actions).toBeUndefined();
  });

  it('an obstructed cutter: one failed attempt, none while the cover is open, one more after it is closed', async () => {
    const { driver, clock, emulator } = await mockPrinter({ cutterJam: true, cutterObstructed: true });
    const failed = await pollSettled(driver, clock);
    expect(failed.readings['printer.cutter_error']).toBe(true);
    expect(failed.actions?.map((a) => [a.action, a.ok, a.detail])).toEqual([
      ['printer.recover', false, 'DLE ENQ 2 (recover from cutter/mechanical error, buffers cleared): error remains (1a 52 1a 12)'],
    ]);
    // No hammering: the cause has not changed.
    await pollSettled(driver, clock);
    expect(emulator.recoveryRequests).toBe(1);
    // The merchant opens the cover and removes the jam: nothing is sent while it is open.
    emulator.set({ coverOpen: true, cutterObstructed: false });
    expect((await pollSettled(driver, clock)).actions).toBeUndefined();
    expect(emulator.recoveryRequests).toBe(1);
    emulator.set({ coverOpen: false });
    const recovered = await pollSettled(driver, clock);
    expect(emulator.recoveryRequests).toBe(2);
    expect(recovered.readings['printer.cutter_error']).toBe(false);
    expect(recovered.actions?.map((a) => a.ok)).toEqual([true]);
  });

  it('never for an unrecoverable error', async () => {
    const { driver, clock, emulator } = await mockPrinter({ unrecoverable: true });
    await pollSettled(driver, clock);
    expect(emulator.recoveryRequests).toBe(0);
  });

  it('under ASB, a jam is recovered without waiting for a poll', async () => {
    const { driver, clock, emulator } = await mockPrinter();
    const seen: Observation[] = [];
    driver.watch((o) => seen.push(o));
    await until(clock, () => seen.length === 1);
    emulator.set({ cutterJam: true });
    await until(clock, () => seen.some((o) => o.actions?.length));
    const step = seen.find((o) => o.actions?.length)!;
    expect(step.readings['printer.cutter_error']).toBe(false);
    expect(step.actions?.[0]).toMatchObject({ action: 'printer.recover', ok: true });
    expect(seen.map((o) => o.readings['printer.cutter_error'])).toContain(true);
    expect(emulator.state.cutterJam).toBe(false);
  });
});

describe('receipts', () => {
  it('prints Chinese and English lines, cuts, and reads the status after', async () => {
    const { driver, clock, emulator } = await mockPrinter();
    const result = await settled(clock, driver.printReceipt(['自检 / Self-test', 'Printer OK', '打印机正常'], new AbortController().signal));
    expect(result.ok).toBe(true);
    expect(result.observation.readings['printer.paper']).toBe('ok');
    expect(emulator.receipts).toEqual([{ lines: ['自检 / Self-test', 'Printer OK', '打印机正常'], cut: true }]);
  });

  it('a printer out of paper prints nothing and the status says why', async () => {
    const { driver, clock, emulator } = await mockPrinter({ paper: 'end' });
    const result = await settled(clock, driver.printReceipt(['Printer OK'], new AbortController().signal));
    expect(result.ok).toBe(false);
    expect(result.observation.readings['printer.paper']).toBe('end');
    expect(emulator.receipts).toEqual([]);
  });

  it('a silent printer: not ok, disconnected', async () => {
    const { driver, clock } = await mockPrinter({ silent: true });
    const result = await settled(clock, driver.printReceipt(['x'], new AbortController().signal));
    expect(result).toMatchObject({ ok: false, observation: { readings: { 'printer.connected': false } } });
  });
});

// Keeps the GB18030 expectation honest: the emulator decodes what the driver encoded.
it('GB18030 round trip of the test text', () => {
  expect(iconv.decode(iconv.encode('打印机正常', 'gb18030'), 'gb18030')).toBe('打印机正常');
});
