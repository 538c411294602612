import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../../../test/support/fake-clock.js';
import type { Observation } from '../../../src/core/readings.js';
import { SerialPrinterDriver } from '../../../src/devices/printer/serial-printer-driver.js';
import { silentLogger } from '../../../src/log/logger.js';
import { EscPosPrinterEmulator, type EscPosPrinterState } from '../../../src/devices/printer/emulator/escpos-printer.js';
import { closeMockPrinters, HEALTHY_PRINTER_READINGS, mockPrinter, mockPrinterConfig, newMockPath, pollSettled, trackDriver, until } from '../../helpers/printer-mock.js';

/** The driver against the emulator over serialport's mock binding; time is a FakeClock. */

afterEach(closeMockPrinters);
const setup = mockPrinter;
const config = mockPrinterConfig;

// A serial line also counts the bytes it had to discard (none here).
const healthy = { ...HEALTHY_PRINTER_READINGS, 'printer.line_errors': 0 };

describe('serial printer driver over the mock binding', () => {
  it('takes its timing from the config', async () => {
    const { driver } = await setup();
    expect(driver.timeoutMs).toBe(1000);
    expect(driver.intervalMs).toBe(10_000);
    expect(driver.kind).toBe('printer');
  });

  it.each<[string, Partial<EscPosPrinterState>, Record<string, unknown>, string]>([
    ['healthy', {}, healthy, '12 12 12 12'],
    ['drawer pin high', { drawerPinHigh: true }, healthy, '16 12 12 12'],
    ['paper near end', { paper: 'near_end' }, { ...healthy, 'printer.paper': 'near_end' }, '12 12 12 1e'],
    ['paper end', { paper: 'end' }, { ...healthy, 'printer.online': false, 'printer.paper': 'end' }, '1a 32 12 72'],
    ['cover open', { coverOpen: true }, { ...healthy, 'printer.online': false, 'printer.cover_open': true }, '1a 16 12 12'],
    ['cutter jam (still obstructed)', { cutterJam: true, cutterObstructed: true }, { ...healthy, 'printer.online': false, 'printer.cutter_error': true }, '1a 52 1a 12'],
    ['head overheat', { headOverheat: true }, { ...healthy, 'printer.online': false, 'printer.head_overheat': true }, '3a 52 52 12'],
    ['unrecoverable', { unrecoverable: true }, { ...healthy, 'printer.online': false, 'printer.unrecoverable_error': true }, '1a 52 32 12'],
    ['offline', { offline: true }, { ...healthy, 'printer.online': false }, '1a 12 12 12'],
  ])('%s → readings', async (_name, state, readings, statusHex) => {
    const { driver, clock } = await setup(state);
    const o = await pollSettled(driver, clock);
    expect(o.readings).toEqual(readings);
    expect(o.evidence).toEqual({ 'printer.status_hex': statusHex });
  });

  it('follows state changes between polls', async () => {
    const { driver, clock, emulator } = await setup();
    expect((await pollSettled(driver, clock)).readings['printer.paper']).toBe('ok');
    emulator.set({ paper: 'end' });
    expect((await pollSettled(driver, clock)).readings['printer.paper']).toBe('end');
    emulator.set({ paper: 'ok' });
    expect((await pollSettled(driver, clock)).readings['printer.paper']).toBe('ok');
  });

  it('a silent printer is disconnected once the reply times out', async () => {
    const { driver, clock } = await setup({ silent: true });
    const o = await pollSettled(driver, clock);
    expect(o.readings).toEqual({ 'printer.connected': false });
    expect(o.evidence?.['printer.transport_error']).toMatch(/no reply within 200 ms/);
  });

  it('a port that does not exist is disconnected, never a throw; reopen waits for the backoff', async () => {
    const clock = new FakeClock();
    const emulator = new EscPosPrinterEmulator();
    const path = newMockPath();
    const { SerialPortMock } = await import('serialport');
    const driver = new SerialPrinterDriver(config(path), { clock, log: silentLogger }, {
      binding: SerialPortMock.binding,
      backoff: { minMs: 1000, maxMs: 8000 },
    });
    trackDriver(driver);
    const first = await pollSettled(driver, clock);
    expect(first.readings).toEqual({ 'printer.connected': false });
    expect(first.evidence?.['printer.transport_error']).toMatch(/open failed/);

    // The device appears, but the driver does not retry before the backoff has passed.
    await emulator.attachToMockPort(path);
    const early = await driver.poll(new AbortController().signal);
    expect(early.readings).toEqual({ 'printer.connected': false });
    expect(early.evidence?.['printer.transport_error']).toMatch(/backing off/);
    await clock.advance(1000);
    // Now it opens. This driver holds the plain mock binding, which the emulator does not answer on,
    // so the printer is still disconnected, but for a different reason: no reply instead of no port.
    expect((await pollSettled(driver, clock)).evidence?.['printer.transport_error']).toMatch(/no reply/);
  });

  it('watch enables ASB and emits observations on state changes without a poll', async () => {
    const { driver, clock, emulator } = await setup();
    const seen: Observation[] = [];
    driver.watch((o) => seen.push(o));
    // Enabling ASB makes the printer report its current state once.
    await until(clock, () => seen.length === 1);
    expect(emulator.asbEnabled).toBe(true);
    // The packet counts once a fresh DLE EOT round has confirmed it (noise passes ASB's fixed bits too).
    // No poll has asked GS I yet: the change asks it, so a fault it raises names the printer.
    expect(seen[0]).toEqual({
      readings: healthy,
      evidence: { 'printer.asb_hex': '10 00 00 00', 'printer.status_hex': '12 12 12 12' },
      identity: expect.objectContaining({ kind: 'printer', model: 'TM-T20II', serial: 'SIM0000001' }),
    });

    emulator.set({ paper: 'near_end' });
    await until(clock, () => seen.length === 2);
    expect(seen[1]!.readings).toEqual({ ...healthy, 'printer.paper': 'near_end' });

    emulator.set({ coverOpen: true });
    await until(clock, () => seen.length === 3);
    expect(seen[2]!.readings).toEqual({ ...healthy, 'printer.online': false, 'printer.cover_open': true, 'printer.paper': 'near_end' });
  });

  it('ASB packets arriving during a poll reach the watcher and do not disturb the replies', async () => {
    const { driver, clock, emulator } = await setup();
    const seen: Observation[] = [];
    driver.watch((o) => seen.push(o));
    await until(clock, () => seen.length === 1);
    const poll = pollSettled(driver, clock);
    emulator.set({ paper: 'end' });
    expect((await poll).readings['printer.paper']).toBe('end');
    await until(clock, () => seen.length === 2);
    expect(seen[1]!.readings['printer.paper']).toBe('end');
  });

  it('an aborted poll settles with the abort reason', async () => {
    const { driver, clock } = await setup({ silent: true });
    const ac = new AbortController();
    const poll = driver.poll(ac.signal);
    ac.abort(new Error('shutdown'));
    await expect(poll).rejects.toThrow('shutdown');
    // The line is free again afterwards.
    expect((await pollSettled(driver, clock)).readings).toEqual({ 'printer.connected': false });
  });

  it('close is idempotent and a poll after close reports disconnected', async () => {
    const { driver, clock } = await setup();
    expect((await pollSettled(driver, clock)).readings['printer.connected']).toBe(true);
    await driver.close();
    await driver.close();
    expect((await pollSettled(driver, clock)).readings).toEqual({ 'printer.connected': false });
  });
});
