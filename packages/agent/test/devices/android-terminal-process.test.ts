import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StoredReport } from 'posdiag-hub';
import { selfTestResultSchema } from 'posdiag-protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestHub, TEST_TOKENS } from '../../../../test/support/hub-harness.js';
import { waitFor } from '../../../../test/support/wait-for.js';
import { requestDaemon } from '../../src/control/client.js';
import { reports, SIM_READER_INFO, TEST_CARDS } from '../../src/devices/card-reader/emulator/hid-card-reader.js';
import { HidrawCardReaderEmulator } from '../../src/devices/card-reader/emulator/hidraw-card-reader.js';
import { startDaemonProcess, type DaemonProcess } from '../helpers/daemon-process.js';

/**
 * An Android terminal, as far as one can be had here: `posdiag run` as a process in which the native
 * device modules cannot be resolved (node-hid has no Android build; usb, serialport and smartcard are
 * made unloadable too), a MagTek swipe reader emulated by a sysfs tree and a FIFO as /dev/hidraw0, and
 * the vendor's printer relayed over the control socket by the example relay client (as the payment app
 * would), all the way to a real hub.
 */
const UNLOADABLE_HOOK = fileURLToPath(new URL('../helpers/unloadable/register.mjs', import.meta.url));
const RELAY = fileURLToPath(new URL('../../../../packaging/android/printer-relay-example.mjs', import.meta.url));
const NATIVE_MODULES = 'node-hid,usb,serialport,smartcard';
const ALL_OK = { paper: 'ok', cover: 'closed', overheat: false, cutter: 'ok', online: true };

let dir: string;
let hub: Awaited<ReturnType<typeof startTestHub>>;
const cleanups: (() => unknown)[] = [];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'posdiag-android-'));
  hub = await startTestHub();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await hub.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const paths = () => ({ sysfs: join(dir, 'sys'), dev: join(dir, 'dev'), state: join(dir, 'state'), logs: join(dir, 'logs') });
/** Where the unloadable modules' hook notes each request for one. */
const requestedLog = () => join(dir, 'native-requests.log');
const nativeRequested = () => (existsSync(requestedLog()) ? readFileSync(requestedLog(), 'utf8').split('\n').filter(Boolean) : []);

async function startAndroidDaemon(devices: Record<string, unknown>): Promise<DaemonProcess> {
  const config = {
    terminal: { id: 'T-0001', model: 'P2', serial: 'SN-ANDROID' },
    paths: paths(),
    devices,
    uplink: { url: hub.hub.url, token: TEST_TOKENS['T-0001'] },
    control: { socket: join(dir, 'run', 'control.sock') },
    locale: 'en',
  };
  const env = {
    ...process.env,
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${UNLOADABLE_HOOK}`.trim(),
    POSDIAG_UNLOADABLE: NATIVE_MODULES,
    POSDIAG_UNLOADABLE_LOG: requestedLog(),
  };
  const daemon = await startDaemonProcess(dir, config, { env });
  cleanups.push(() => daemon.stop());
  return daemon;
}

/** The example relay client as the payment app's stand-in: statuses on its stdin, print requests on its stdout. */
function startRelay(socket: string) {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [RELAY, '--socket', socket, '--every', '1'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const relay = {
    send: (status: Record<string, unknown>) => void child.stdin.write(JSON.stringify(status) + '\n'),
    stdout: () => stdout,
    stderr: () => stderr,
    /** The payment app going away without a word. */
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      return exited;
    },
  };
  cleanups.push(() => relay.kill());
  return relay;
}

/** A fault report at the hub (the bound only turns a hang into a failure: card_reader.disconnected alone holds 10 s first). */
const fault = (code: string, state: 'raised' | 'cleared', after = 0) =>
  waitFor(() => hub.stored.slice(after).find((r) => r.kind === 'fault' && r.code === code && r.state === state), `${code} ${state} at the hub`, 45_000);
const openCodes = async () => {
  const body = (await (await fetch(`${hub.api}/faults?state=open`)).json()) as { terminals: Record<string, { code: string }[]> };
  return (body.terminals['T-0001'] ?? []).map((f) => f.code);
};
const readings = async (socket: string) => ((await requestDaemon(socket, 'status', {})) as { readings: Record<string, unknown> }).readings;

describe('an Android terminal: no native device module loads (process: posdiag run, a real hub)', () => {
  it('reads a hidraw swipe reader and a printer the payment app relays, raises and clears their faults at the hub, and self-tests both', async () => {
    const reader = new HidrawCardReaderEmulator({ sysfs: paths().sysfs, dev: paths().dev });
    cleanups.push(() => reader.close());
    reader.plug('hidraw0');
    const daemon = await startAndroidDaemon({
      cardReader: { transport: 'hidraw', vendorId: SIM_READER_INFO.vendorId, productId: SIM_READER_INFO.productId, interval: '300ms' },
      printer: { transport: 'app', staleAfter: '3s', interval: '300ms' },
    });
    const relay = startRelay(daemon.socket);

    // The printer, through the app: the vendor's code alone says "out of paper".
    relay.send({ ...ALL_OK, vendorCode: 'sunmi:1' });
    relay.send({ vendorCode: 'sunmi:4' });
    const paperEnd = await fault('printer.paper_end', 'raised');
    expect(paperEnd.kind === 'fault' && paperEnd.evidence).toMatchObject({ 'printer.paper': 'end', 'printer.vendor_code': 'sunmi:4', 'printer.vendor_status': 'out of paper' });
    relay.send(ALL_OK);
    await fault('printer.paper_end', 'cleared');

    // The card reader, through hidraw: a swipe is read and classified.
    reader.swipe(reports.good('visa'));
    await waitFor(async () => ((await readings(daemon.socket))['card_reader.swipes'] === 1 ? true : undefined), 'the swipe to be counted');
    // Unplugged, then back as another node: disconnected raised, then cleared.
    reader.unplug();
    await fault('card_reader.disconnected', 'raised');
    reader.plug('hidraw1');
    await fault('card_reader.disconnected', 'cleared');

    // The interactive self-test, asked for on the control socket as the payment app's button does: the
    // test receipt goes to the app on its relay connection, the swipe and the question come here.
    const answered = selfTestResultSchema.parse(
      await requestDaemon(daemon.socket, 'self_test', { level: 'interactive', locale: 'en' }, (line, reply) => {
        if (!('event' in line) || line.event !== 'prompt') return;
        if (line.kind === 'swipe') reader.swipe(reports.good('mastercard'));
        if (line.kind === 'yes_no') reply.answer(line.promptId, true);
      }),
    );
    const check = (device: string, name: string) => answered.checks.find((c) => c.device === device && c.name === name);
    expect(check('printer', 'status')?.passed).toBe(true);
    expect(check('printer', 'receipt')?.passed).toBe(true);
    expect(check('printer', 'legible')?.passed).toBe(true);
    expect(check('cardReader', 'status'), JSON.stringify(check('cardReader', 'status'))).toMatchObject({ passed: true });
    expect(check('cardReader', 'swipe')).toMatchObject({ passed: true });
    expect(relay.stdout()).toMatch(/--- print print-\S+\n[\s\S]*T-0001[\s\S]*\n--- end\n/);
    await waitFor(() => hub.stored.find((r) => r.kind === 'self_test' && r.result.testId === answered.testId), 'the self-test report at the hub');

    // The app goes quiet with the paper out: the printer's state is unknown, the fault is not cleared.
    const before = hub.stored.length;
    relay.send({ ...ALL_OK, paper: 'end' });
    await fault('printer.paper_end', 'raised', before);
    await relay.kill();
    const quiet = await waitFor(async () => {
      const now = await readings(daemon.socket);
      return now['printer.paper'] === undefined && now['printer.connected'] === undefined ? now : undefined;
    }, 'the printer readings to be unknown');
    expect(quiet['printer.transport_error']).toBe('no printer status from the payment app for 3 s');
    expect(await openCodes()).toContain('printer.paper_end');
    const quick = selfTestResultSchema.parse(await requestDaemon(daemon.socket, 'self_test', { level: 'quick', locale: 'en' }));
    expect(quick.checks.find((c) => c.device === 'printer' && c.name === 'status')?.passed).toBe(false);
    expect(quick.problems?.some((p) => p.device === 'printer' && /no printer status from the payment app/.test(p.message))).toBe(true);
    expect(hub.stored.slice(before).some((r: StoredReport) => r.kind === 'fault' && r.code === 'printer.paper_end' && r.state === 'cleared')).toBe(false);
    // A new relay (the app restarted) speaks for the printer again.
    startRelay(daemon.socket).send(ALL_OK);
    await fault('printer.paper_end', 'cleared', before);

    // node-hid (nor node-usb) was never even asked for; the daemon never fell over; no card data anywhere.
    expect(nativeRequested()).toEqual([]);
    expect(daemon.stderr()).not.toMatch(/\n\s+at /);
    const logs = readdirSync(paths().logs).map((f) => readFileSync(join(paths().logs, f), 'utf8')).join('\n');
    const everything = [logs, daemon.stderr(), relay.stdout(), JSON.stringify(hub.stored)].join('\n');
    for (const pan of Object.values(TEST_CARDS)) expect(everything).not.toContain(pan);
    expect(await daemon.stop()).toBe(0);
  }, 120_000);

  it('each device whose native module cannot load is a reading problem of its own, never a crash', async () => {
    const daemon = await startAndroidDaemon({
      cardReader: { transport: 'hid', vendorId: SIM_READER_INFO.vendorId, productId: SIM_READER_INFO.productId, interval: '300ms' },
      printer: { transport: 'usb', vendorId: 0x0416, productId: 0x5011, interval: '300ms' },
      modem: { path: join(dir, 'dev', 'ttyUSB2'), interval: '300ms' },
    });
    // The reading problems as the daemon records them: each on its own device and reading, naming its module.
    const problems = () =>
      readFileSync(join(paths().logs, 'posdiag.log'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { level: string; device?: string; reading?: string; msg: string })
        .filter((l) => l.level === 'warn' && l.reading !== undefined);
    const problemOf = (device: string, module: string) => problems().find((p) => p.device === device && p.msg.includes(`cannot load the "${module}" module`));
    const found = await waitFor(() => {
      const each = [problemOf('cardReader', 'node-hid'), problemOf('printer', 'usb'), problemOf('modem', 'serialport')];
      return each.every(Boolean) ? each : undefined;
    }, 'a reading problem for each device');
    expect(found.map((p) => p!.reading)).toEqual(['card_reader.connected', 'printer.online', 'modem.responding']);
    expect(new Set(nativeRequested())).toEqual(new Set(['node-hid', 'usb', 'serialport']));

    // Each device is reported as not reachable, not as a driver that failed; the self-test says so per device.
    const result = selfTestResultSchema.parse(await requestDaemon(daemon.socket, 'self_test', { level: 'quick', locale: 'en' }));
    const status = (device: string) => result.checks.find((c) => c.device === device && c.name === 'status');
    expect([status('cardReader')?.passed, status('printer')?.passed, status('modem')?.passed]).toEqual([false, false, false]);
    expect(status('printer')?.detail).not.toMatch(/no answer/);
    expect(await readings(daemon.socket)).toMatchObject({ 'card_reader.connected': false, 'printer.connected': false });
    expect(daemon.stderr()).not.toMatch(/driver poll failed/);
    expect(daemon.child.exitCode).toBeNull();
    expect(await daemon.stop()).toBe(0);
  }, 60_000);
});
