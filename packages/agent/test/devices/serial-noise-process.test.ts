import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AtModemEmulator } from '../../src/devices/modem/emulator/at-modem.js';
import { EscPosPrinterEmulator } from '../../src/devices/printer/emulator/escpos-printer.js';
import { track1, track2 } from '../../src/devices/card-reader/emulator/hid-card-reader.js';
import { runPosdiag } from '../helpers/cli-process.js';
import { startDaemonProcess, type DaemonProcess } from '../helpers/daemon-process.js';
import { startTestHub, TEST_TOKENS } from '../../../../test/support/hub-harness.js';
import { noiseSeed, noiseSource, openDeviceEnd, pourNoise, type DeviceEnd } from '../helpers/line-noise.js';
import { createPtyPair, type PtyPair } from '../helpers/pty.js';
import { waitFor } from '../../../../test/support/wait-for.js';

/**
 * Issue 10, "noise is data, never a fault", with the real program: `posdiag run` as a process with a
 * printer, a modem and a serial card reader on three real ptys, delivering to a real hub; 10 MiB of
 * seeded random bytes into each line in turn. The hub stores no fault the noise caused, `posdiag log`
 * shows one warning per line, and `posdiag status` reads each device's true state once its line is
 * clean. (serial-noise.test.ts beside it checks the same poll by poll, in process.)
 */

const NOISE_BYTES = 10 * 1024 * 1024;
const seed = noiseSeed();
const dir = mkdtempSync(join(tmpdir(), 'posdiag-noise-process-'));
let hub: Awaited<ReturnType<typeof startTestHub>>;
let daemon: DaemonProcess;
const ptys: PtyPair[] = [];
const ends: Record<'printer' | 'modem' | 'reader', DeviceEnd> = {} as never;
const printer = new EscPosPrinterEmulator();
const modem = new AtModemEmulator({}, { echo: true });

beforeAll(async () => {
  hub = await startTestHub();
  const hosts: Record<string, string> = {};
  for (const name of ['printer', 'modem', 'reader'] as const) {
    const pty = await createPtyPair(join(dir, `${name}-host`), join(dir, `${name}-device`));
    ptys.push(pty);
    ends[name] = await openDeviceEnd(pty.b);
    hosts[name] = pty.a;
  }
  printer.attachToStream(ends.printer.stream);
  modem.attachToStream(ends.modem.stream);
  daemon = await startDaemonProcess(dir, {
    terminal: { id: 'T-0001', model: 'X990', serial: 'SN-NOISE' },
    paths: { state: join(dir, 'state'), logs: join(dir, 'logs') },
    devices: {
      printer: { transport: 'serial', path: hosts.printer, interval: '200ms', timeout: '1s' },
      modem: { path: hosts.modem, interval: '300ms', timeout: '5s' },
      cardReader: { transport: 'serial', path: hosts.reader, interval: '200ms' },
    },
    uplink: { url: hub.hub.url, token: TEST_TOKENS['T-0001'] },
    control: { socket: join(dir, 'control.sock') },
    locale: 'en',
  });
});

afterAll(async () => {
  await daemon?.stop();
  for (const end of Object.values(ends)) await end.close();
  for (const pty of ptys) await pty.kill();
  await hub.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

interface StatusJson {
  readings: Record<string, unknown>;
  uplink: { pending: number | null };
  outbox: { pending: number } | null;
}
const status = async (): Promise<StatusJson> => JSON.parse((await runPosdiag(['status', '--json', '--config', daemon.configFile])).stdout);
const readingsWhere = (check: (r: Record<string, unknown>) => boolean, what: string) =>
  waitFor(async () => {
    const { readings } = await status();
    return check(readings) ? readings : undefined;
  }, what, 60_000);
const storedFaults = () => hub.stored.flatMap((row) => (row.kind === 'fault' ? [`${row.code} ${row.state}`] : []));

describe('posdiag run on three noisy serial lines (issue 10)', () => {
  it('stores no fault from 10 MiB of noise per line, logs it once per line, and reads the true states afterwards', async () => {
    await readingsWhere(
      (r) => r['printer.paper'] === 'ok' && r['modem.registration'] === 'home' && r['card_reader.connected'] === true,
      'every device read once',
    );
    for (const end of Object.values(ends)) await pourNoise(end.writer, NOISE_BYTES, noiseSource(seed));

    printer.set({ paper: 'end' });
    modem.set({ rssi: 14 }); // -85 dBm
    ends.reader.writer.write(`\r\n${track1('4111111111111111')}${track2('4111111111111111')}\r\n`);
    const after = await readingsWhere(
      (r) => r['printer.line_errors'] === 0 && r['modem.line_errors'] === 0 && r['card_reader.line_errors'] === 0 && r['card_reader.swipes'] === 1,
      'all three lines clean, the swipe read',
    );
    expect(after).toMatchObject({
      'printer.connected': true,
      'printer.paper': 'end',
      'printer.cutter_error': false,
      'printer.unrecoverable_error': false,
      'modem.responding': true,
      'modem.signal_dbm': -85,
      'card_reader.swipes': 1,
      'card_reader.read_errors': 0,
      'card_reader.last_swipe': 'good',
    });
    await waitFor(() => (storedFaults().includes('printer.paper_end raised') ? true : undefined), 'paper end at the hub');
    await waitFor(async () => ((await status()).outbox?.pending === 0 ? true : undefined), 'every report delivered');
    console.info(`fault reports at the hub: ${JSON.stringify(storedFaults())}`);
    expect(storedFaults().filter((f) => !/^\w+\.line_noise /.test(f))).toEqual(['printer.paper_end raised']);

    const log = await runPosdiag(['log', '--json', '--level', 'warn', '--config', daemon.configFile]);
    const warnings = log.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { msg?: string; device?: string })
      .filter((e) => e.msg?.startsWith('line noise'));
    // One per episode: a line that went clean mid-pour on a stalled machine would start a second one.
    expect([...new Set(warnings.map((e) => e.device))].sort()).toEqual(['cardReader', 'modem', 'printer']);
    expect(JSON.stringify(log.stdout)).not.toMatch(/4111/);
  });
});
