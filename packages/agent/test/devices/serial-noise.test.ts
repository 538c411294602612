import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAgent, type Agent } from '../../src/agent.js';
import { parseConfig } from '../../src/config/load.js';
import type { Observation, Readings } from '../../src/core/readings.js';
import { AtModemEmulator } from '../../src/devices/modem/emulator/at-modem.js';
import { EscPosPrinterEmulator } from '../../src/devices/printer/emulator/escpos-printer.js';
import { track1, track2 } from '../../src/devices/card-reader/emulator/hid-card-reader.js';
import { startTestHub, TEST_TOKENS } from '../../../../test/support/hub-harness.js';
import { noiseSeed, noiseSource, openDeviceEnd, pourNoise, type DeviceEnd } from '../helpers/line-noise.js';
import { createPtyPair } from '../helpers/pty.js';
import { recordingLogger, type LogEntry } from '../../../../test/support/recording-logger.js';
import { HEALTHY_PRINTER_READINGS } from '../helpers/printer-mock.js';
import { waitFor } from '../../../../test/support/wait-for.js';

/**
 * Issue 10, "noise is data, never a fault": 10 MiB of random bytes through a real pty (socat) into each
 * serial codec, with an agent reporting to a real hub over a real WebSocket. The hub must store no
 * fault the noise caused (only the line-noise fault is allowed), the noise must be reported (a
 * line_errors reading, a warning in the log), and the device's true state must be read right by the
 * first poll after the noise. The noise comes from a seeded PRNG; the seed is printed for replay.
 */

const NOISE_BYTES = 10 * 1024 * 1024;
const seed = noiseSeed();

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

interface Seen {
  source: string;
  readings: Readings;
}

interface Rig {
  agent: Agent;
  /** The device end of the pty: what the device says goes here, and so does the noise. */
  device: DeviceEnd;
  /** Every observation the monitor got, in order. */
  seen: Seen[];
  log: LogEntry[];
  hub: Awaited<ReturnType<typeof startTestHub>>;
}

/** A pty pair, `attach` on its device end, and an agent with `devices(hostPath)` reporting to a fresh hub. */
async function rig(devices: (path: string) => Record<string, unknown>, attach: (stream: DeviceEnd['stream']) => void): Promise<Rig> {
  const dir = mkdtempSync(join(tmpdir(), 'posdiag-noise-'));
  cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
  const pty = await createPtyPair(join(dir, 'tty-host'), join(dir, 'tty-device'));
  cleanup.push(() => pty.kill());
  const device = await openDeviceEnd(pty.b);
  cleanup.push(() => device.close());
  attach(device.stream);

  const hub = await startTestHub();
  cleanup.push(() => hub.cleanup());
  const config = parseConfig({
    terminal: { id: 'T-0001', model: 'X990', serial: 'SN-1' },
    paths: { state: join(dir, 'state'), logs: join(dir, 'logs') },
    devices: devices(pty.a),
    uplink: { url: hub.hub.url, token: TEST_TOKENS['T-0001'] },
    control: { socket: join(dir, 'control.sock') },
    locale: 'en',
  });
  const log = recordingLogger();
  const agent = await createAgent({ config, log });
  const seen: Seen[] = [];
  const observe = agent.monitor.observe.bind(agent.monitor);
  agent.monitor.observe = (source: string, observation: Observation, at: number) => {
    seen.push({ source, readings: { ...observation.readings } });
    return observe(source, observation, at);
  };
  agent.start();
  cleanup.push(() => agent.stop());
  return { agent, device, seen, log: log.entries, hub };
}

/** The fault reports the hub stored, as `code state`. */
const storedFaults = (r: Rig) => r.hub.stored.flatMap((row) => (row.kind === 'fault' ? [`${row.code} ${row.state}`] : []));

/** Waits until every report the agent recorded has been acknowledged by the hub. */
const delivered = (r: Rig) => waitFor(() => (r.agent.outbox.stats().pending === 0 ? true : undefined), 'the outbox to drain');

/** Observations of `source` from index `from` on. */
const of = (r: Rig, source: string, from = 0) => r.seen.slice(from).filter((s) => s.source === source);

/** Pours the noise, returning the index of the first observation made after the last byte was written. */
async function noise(r: Rig): Promise<number> {
  await pourNoise(r.device.writer, NOISE_BYTES, noiseSource(seed));
  return r.seen.length;
}

/** The noise was told to the log as warnings, one per episode, each episode ended before the next began. */
function expectNoiseLogged(r: Rig, device: string): void {
  const lines = r.log.filter((e) => e.fields.device === device && /line noise|line clean/.test(e.msg ?? ''));
  expect(lines.length).toBeGreaterThan(0);
  lines.forEach((e, i) => expect(e.level, `${device} line-noise log ${i}`).toBe(i % 2 === 0 ? 'warn' : 'info'));
}

const STATUS_READINGS = [
  'printer.online',
  'printer.cover_open',
  'printer.cutter_error',
  'printer.head_overheat',
  'printer.unrecoverable_error',
  'printer.mechanical_error',
  'printer.paper',
] as const;
const statusOf = (readings: Readings) => Object.fromEntries(STATUS_READINGS.map((k) => [k, readings[k]]));
const HEALTHY = statusOf(HEALTHY_PRINTER_READINGS);
const PAPER_END = { ...HEALTHY, 'printer.online': false, 'printer.paper': 'end' };

describe('10 MiB of line noise through a real pty (issue 10)', () => {
  it('printer (ESC/POS): no fault from the noise, the noise reported, paper end read by the first clean poll', async () => {
    let emulator!: EscPosPrinterEmulator;
    const r = await rig(
      (path) => ({ printer: { transport: 'serial', path, interval: '200ms', timeout: '1s' } }),
      (stream) => {
        emulator = new EscPosPrinterEmulator();
        emulator.attachToStream(stream);
      },
    );
    await waitFor(() => of(r, 'printer').find((s) => s.readings['printer.paper'] === 'ok'), 'a healthy printer');
    const start = r.seen.length;
    const after = await noise(r);
    emulator.set({ paper: 'end' });
    // The first poll over a clean line after the state change reads it right.
    const firstClean = await waitFor(() => of(r, 'printer', after).find((s) => s.readings['printer.line_errors'] === 0), 'a clean printer poll');
    await waitFor(() => (storedFaults(r).includes('printer.paper_end raised') ? true : undefined), 'paper end at the hub');
    await delivered(r);

    const during = of(r, 'printer', start);
    console.info(`printer: ${during.length} observations, fault reports at the hub: ${JSON.stringify(storedFaults(r))}`);
    expect(during.some((s) => Number(s.readings['printer.line_errors']) > 0)).toBe(true);
    // Every status the printer ever reported is one it really had: healthy, then paper end.
    for (const s of during) if (s.readings['printer.connected'] === true && s.readings['printer.paper'] !== 'unknown') expect([HEALTHY, PAPER_END]).toContainEqual(statusOf(s.readings));
    expect(statusOf(firstClean.readings)).toEqual(PAPER_END);
    expect(storedFaults(r).filter((f) => !f.startsWith('printer.line_noise '))).toEqual(['printer.paper_end raised']);
    expect(r.agent.status().faults.filter((f) => f.flapping)).toEqual([]);
    expectNoiseLogged(r, 'printer');
  });

  it('modem (AT): no fault from the noise, the noise reported, the new signal read by the first clean poll', async () => {
    let emulator!: AtModemEmulator;
    const r = await rig(
      (path) => ({ modem: { path, interval: '300ms', timeout: '5s' } }),
      (stream) => {
        emulator = new AtModemEmulator({}, { echo: true });
        emulator.attachToStream(stream);
      },
    );
    await waitFor(() => of(r, 'modem').find((s) => s.readings['modem.registration'] === 'home'), 'a registered modem');
    const start = r.seen.length;
    const after = await noise(r);
    emulator.set({ rssi: 14 }); // -85 dBm
    const firstClean = await waitFor(() => of(r, 'modem', after).find((s) => s.readings['modem.line_errors'] === 0), 'a clean modem poll');
    await delivered(r);

    console.info(`modem: ${of(r, 'modem', start).length} observations, fault reports at the hub: ${JSON.stringify(storedFaults(r))}`);
    expect(of(r, 'modem', start).some((s) => Number(s.readings['modem.line_errors']) > 0)).toBe(true);
    expect(firstClean.readings).toMatchObject({ 'modem.responding': true, 'modem.sim': 'ready', 'modem.registration': 'home', 'modem.signal_dbm': -85 });
    // Nothing the modem reported is a state it was not in (unknown is honest: an answer lost in the noise).
    for (const s of of(r, 'modem', start)) {
      expect(s.readings['modem.responding']).toBe(true);
      expect(['ready', 'unknown']).toContain(s.readings['modem.sim']);
      expect(['home', 'unknown']).toContain(s.readings['modem.registration']);
    }
    expect(storedFaults(r).filter((f) => !f.startsWith('modem.line_noise '))).toEqual([]);
    expectNoiseLogged(r, 'modem');
  });

  it('serial card reader (track frames): no swipe and no fault from the noise, a real swipe read right afterwards', async () => {
    const r = await rig(
      (path) => ({ cardReader: { transport: 'serial', path, interval: '200ms' } }),
      () => {},
    );
    await waitFor(() => of(r, 'cardReader').find((s) => s.readings['card_reader.connected'] === true), 'the reader port open');
    const start = r.seen.length;
    const after = await noise(r);
    // The swipe starts on a line of its own: whatever the noise left unterminated ends at this CR LF.
    r.device.writer.write(`\r\n${track1('4111111111111111')}${track2('4111111111111111')}\r\n`);
    const swipe = await waitFor(() => of(r, 'cardReader', after).find((s) => s.readings['card_reader.last_swipe'] !== undefined), 'the real swipe');
    await waitFor(() => of(r, 'cardReader', after).find((s) => s.readings['card_reader.line_errors'] === 0), 'a clean reader poll');
    await delivered(r);

    console.info(`card reader: ${of(r, 'cardReader', start).length} observations, fault reports at the hub: ${JSON.stringify(storedFaults(r))}`);
    expect(of(r, 'cardReader', start).some((s) => Number(s.readings['card_reader.line_errors']) > 0)).toBe(true);
    expect(swipe.readings).toMatchObject({ 'card_reader.swipes': 1, 'card_reader.read_errors': 0, 'card_reader.last_swipe': 'good', 'card_reader.window_failures': 0 });
    expect(storedFaults(r).filter((f) => !f.startsWith('card_reader.line_noise '))).toEqual([]);
    expectNoiseLogged(r, 'cardReader');
  });
});
