import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from 'posdiag-protocol';
import type { Observation } from '../../../src/core/readings.js';
import { SerialPrinterDriver } from '../../../src/devices/printer/serial-printer-driver.js';
import { silentLogger } from '../../../src/log/logger.js';
import { EscPosPrinterEmulator } from '../../../src/devices/printer/emulator/escpos-printer.js';
import { createPtyPair, type PtyPair } from '../../helpers/pty.js';

/**
 * Integration over real ttys with the real serialport bindings: socat joins two ptys, the emulator
 * holds end B, the driver end A. Reply timeout is 200 ms (poll timeout 1 s / 5). No timed assertions
 * and no sleeps: waits are for events, bounded by vitest's test timeout only.
 */

let dir: string;
let linkA: string;
let linkB: string;
let pty: PtyPair | undefined;
let emulatorPort: SerialPort | undefined;
let driver: SerialPrinterDriver | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'posdiag-printer-pty-'));
  linkA = join(dir, 'printer-host');
  linkB = join(dir, 'printer-device');
});

afterEach(async () => {
  await driver?.close();
  await closeEmulatorPort();
  await pty?.kill();
  driver = undefined;
  pty = undefined;
  rmSync(dir, { recursive: true, force: true });
});

async function closeEmulatorPort(): Promise<void> {
  const port = emulatorPort;
  emulatorPort = undefined;
  if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
}

/** Starts socat and puts the emulator on end B. */
async function plugIn(emulator: EscPosPrinterEmulator): Promise<void> {
  pty = await createPtyPair(linkA, linkB);
  const port = new SerialPort({ path: linkB, baudRate: 115200, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  port.on('error', () => {}); // the device end sees the unplug too
  emulator.attachToStream(port);
  emulatorPort = port;
}

function newDriver(path = linkA): SerialPrinterDriver {
  driver = new SerialPrinterDriver(
    { transport: 'serial', path, baudRate: 115200, timeout: '1s' },
    { clock: systemClock, log: silentLogger },
    { backoff: { minMs: 0, maxMs: 0 } },
  );
  return driver;
}

const poll = (d: SerialPrinterDriver) => d.poll(new AbortController().signal);

/** Collects watch() emissions and lets a test await the next one that matches. */
function watcher(d: SerialPrinterDriver) {
  const seen: Observation[] = [];
  let waiting: { match: (o: Observation) => boolean; resolve: (o: Observation) => void } | undefined;
  d.watch((o) => {
    seen.push(o);
    if (waiting?.match(o)) {
      waiting.resolve(o);
      waiting = undefined;
    }
  });
  return {
    seen,
    next(match: (o: Observation) => boolean): Promise<Observation> {
      const already = seen.find(match);
      if (already) return Promise.resolve(already);
      return new Promise((resolve) => (waiting = { match, resolve }));
    },
  };
}

describe('serial printer over a real pty', () => {
  it('polls a healthy printer, then sees paper end on the next poll', async () => {
    const emulator = new EscPosPrinterEmulator();
    await plugIn(emulator);
    const d = newDriver();
    const first = await poll(d);
    expect(first.readings).toMatchObject({ 'printer.connected': true, 'printer.online': true, 'printer.paper': 'ok' });
    expect(first.evidence).toEqual({ 'printer.status_hex': '12 12 12 12' });
    emulator.set({ paper: 'end' });
    const second = await poll(d);
    expect(second.readings).toMatchObject({ 'printer.connected': true, 'printer.online': false, 'printer.paper': 'end' });
    expect(second.evidence).toEqual({ 'printer.status_hex': '1a 32 12 72' });
  });

  it('reports paper end through ASB without a poll', async () => {
    const emulator = new EscPosPrinterEmulator();
    await plugIn(emulator);
    const w = watcher(newDriver());
    const initial = await w.next(() => true);
    expect(initial.readings).toMatchObject({ 'printer.connected': true, 'printer.paper': 'ok' });
    expect(emulator.asbEnabled).toBe(true);
    emulator.set({ paper: 'end' });
    const change = await w.next((o) => o.readings['printer.paper'] === 'end');
    // Confirmed by a fresh DLE EOT round before it counts.
    expect(change.evidence).toEqual({ 'printer.asb_hex': '18 00 0c 00', 'printer.status_hex': '1a 32 12 72' });
  });

  it('a silent printer is disconnected once the reply times out', async () => {
    const emulator = new EscPosPrinterEmulator();
    await plugIn(emulator);
    const d = newDriver();
    expect((await poll(d)).readings['printer.connected']).toBe(true);
    emulator.set({ silent: true });
    const o = await poll(d);
    expect(o.readings).toEqual({ 'printer.connected': false });
    expect(o.evidence?.['printer.transport_error']).toMatch(/no reply within 200 ms/);
  });

  it('a path that does not exist is disconnected, not a throw', async () => {
    const o = await poll(newDriver(join(dir, 'no-such-tty')));
    expect(o.readings).toEqual({ 'printer.connected': false });
    expect(o.evidence?.['printer.transport_error']).toMatch(/open failed/);
  });

  it('unplugged (socat killed) → disconnected; a new pty on the same path → connected again', async () => {
    await plugIn(new EscPosPrinterEmulator());
    const d = newDriver();
    const w = watcher(d);
    await w.next((o) => o.readings['printer.connected'] === true);

    await closeEmulatorPort();
    await pty!.kill();
    // The poll detects the loss (a tty may report a hangup only on the next I/O), and the watcher hears it.
    expect((await poll(d)).readings).toEqual({ 'printer.connected': false });
    await w.next((o) => o.readings['printer.connected'] === false);

    await plugIn(new EscPosPrinterEmulator({ paper: 'near_end' }));
    // No reopen backoff here (the mock-binding test covers it): the next poll reopens the path.
    const o = await poll(d);
    expect(o.readings).toMatchObject({ 'printer.connected': true, 'printer.paper': 'near_end' });
    // ASB is re-armed on the new line: the new printer's state arrives unsolicited too.
    await w.next((o) => o.readings['printer.paper'] === 'near_end');
  });
});
