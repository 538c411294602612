import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { createAgent } from '../src/agent.js';
import { parseConfig } from '../src/config/load.js';
import { TERMINAL_HEADER } from 'posdiag-protocol';
import { addOperatorUser, startHub, type StoredReport } from 'posdiag-hub';
import { ConsoleClient } from '../../../test/support/console-client.js';
import { createFileLogger } from '../src/log/file-logger.js';
import { HidCardReaderEmulator, reports, SIM_READER_INFO, TEST_CARDS, track1, track2 } from '../src/devices/card-reader/emulator/hid-card-reader.js';
import { HidrawCardReaderEmulator } from '../src/devices/card-reader/emulator/hidraw-card-reader.js';
import { runPosdiag } from './helpers/cli-process.js';
import { runCli } from './helpers/run-cli.js';
import { execFileSync } from 'node:child_process';

/**
 * SPEC §8: the canary test cards go through every path — driver, log (trace level), report, outbox
 * file, hub database, wire frames both ways, the technician's bundle and the one the hub asks for, the
 * pages of the provider's web console —
 * and no output may hold a canary PAN (plain, or grouped with spaces or dashes) or anything
 * track-shaped.
 */

const CANARY_PATTERNS: { name: string; re: RegExp }[] = [
  ...Object.values(TEST_CARDS).map((pan) => ({ name: `PAN ${pan.slice(0, 4)}…`, re: new RegExp(pan.split('').join('[ -]?')) })),
  { name: 'track 1', re: /%?B\d{12,19}\^/ },
  { name: 'track 2', re: /\d{12,19}=\d{4}/ },
  { name: 'track 1 name field', re: /\^TEST\/CARDHOLDER\^|CARDHOLDER/ },
];

/** Every canary found in `bytes` (read as latin1, so binary files such as SQLite pages are searched too). */
function leaks(where: string, bytes: Buffer | string): string[] {
  const text = typeof bytes === 'string' ? bytes : bytes.toString('latin1');
  return CANARY_PATTERNS.filter((p) => p.re.test(text)).map((p) => `${p.name} in ${where}`);
}

function leaksUnder(dir: string): { files: number; found: string[] } {
  let files = 0;
  const found: string[] = [];
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    files++;
    const path = join(entry.parentPath, entry.name);
    found.push(...leaks(path, readFileSync(path)));
  }
  return { files, found };
}

const dirs: string[] = [];
const tempDir = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('the canary scanner', () => {
  it('finds what it must find: raw reports, PANs grouped with spaces or dashes, track text', () => {
    expect(leaks('raw report', reports.good('visa'))).not.toEqual([]);
    expect(leaks('text', 'card 4111 1111 1111 1111 declined')).toEqual(['PAN 4111… in text']);
    expect(leaks('text', 'card 5555-5555-5555-4444')).toEqual(['PAN 5555… in text']);
    expect(leaks('text', track2('4000000000000002'))).toEqual(['track 2 in text']);
    expect(leaks('text', track1('4000000000000002'))).toContain('track 1 in text');
    expect(leaks('text', 'masked 411111******1111, t1=ok(61) t2=decode_error')).toEqual([]);
  });
});

describe('no card data in any output', () => {
  it('posdiag demo --json --keep DIR: read_errors_high reaches the hub; no file under DIR and nothing printed holds card data', async () => {
    const keep = tempDir('posdiag-leak-demo-');
    const { code, stdout, stderr } = await runPosdiag(['demo', '--json', '--keep', keep, '--duration', '11'], { timeoutMs: 40_000 });
    expect(code, stderr).toBe(0);
    const rows = stdout.trim().split('\n').map((line) => JSON.parse(line) as StoredReport);
    expect(rows.filter((r) => r.kind === 'fault').map((r) => `${r.code} ${r.state}`)).toContain('card_reader.read_errors_high raised');
    expect(stderr).toMatch(/test card is swiped/);

    const scan = leaksUnder(keep);
    expect(scan.files).toBeGreaterThanOrEqual(4); // agent log, outbox, hub db, card reader state at least
    expect([...scan.found, ...leaks('stdout', stdout), ...leaks('stderr', stderr)]).toEqual([]);
  });

  it('driver → log (trace), reports, outbox, hub database and wire frames: every swipe kind and a reader swap', async () => {
    const dir = tempDir('posdiag-leak-agent-');
    const token = 'leak-test-token';
    const hubLog = createFileLogger({ dir: join(dir, 'hub'), level: 'trace', maxBytes: 1 << 20, keep: 1, name: 'posdiag-hub' });
    const hub = await startHub({ host: '127.0.0.1', port: 0, db: join(dir, 'hub', 'hub.db'), tokens: { 'T-LEAK': token }, log: hubLog.logger });
    const stored: StoredReport[] = [];
    const storedWaiters: (() => void)[] = [];
    hub.onStored((row) => {
      stored.push(row);
      storedWaiters.forEach((w) => w());
    });
    const until = (what: (rows: StoredReport[]) => boolean) =>
      new Promise<void>((resolve) => {
        const check = () => what(stored) && resolve();
        storedWaiters.push(check);
        check();
      });

    // A WebSocket proxy between agent and hub: records every message payload, unmasked, both ways.
    const frames: Buffer[] = [];
    const consolePages: string[] = [];
    const proxy = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/agent' });
    await new Promise<void>((resolve) => proxy.once('listening', resolve));
    proxy.on('connection', (agentSide, req) => {
      const headers = { authorization: String(req.headers.authorization), [TERMINAL_HEADER]: String(req.headers[TERMINAL_HEADER]) };
      const hubSide = new WebSocket(hub.url, { headers, perMessageDeflate: false });
      const pending: [RawData, boolean][] = [];
      const record = (data: RawData) => frames.push(Buffer.isBuffer(data) ? Buffer.from(data) : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]));
      agentSide.on('message', (data, binary) => {
        record(data);
        if (hubSide.readyState === WebSocket.OPEN) hubSide.send(data, { binary });
        else pending.push([data, binary]);
      });
      hubSide.on('open', () => pending.splice(0).forEach(([data, binary]) => hubSide.send(data, { binary })));
      hubSide.on('message', (data, binary) => {
        record(data);
        if (agentSide.readyState === WebSocket.OPEN) agentSide.send(data, { binary });
      });
      hubSide.on('close', () => agentSide.close());
      hubSide.on('error', () => agentSide.terminate());
      agentSide.on('close', () => hubSide.close());
    });
    const proxyPort = (proxy.address() as { port: number }).port;
    /** What the terminal shows and never sends (status with its hints, a self-test's result): scanned too. */
    const localOutputs: string[] = [];

    const reader = new HidCardReaderEmulator();
    const configInput = {
      terminal: { id: 'T-LEAK', model: 'SIM-990', serial: 'SIM-LEAK' },
      paths: { state: join(dir, 'state'), logs: join(dir, 'logs') },
      devices: { cardReader: { transport: 'hid', vendorId: SIM_READER_INFO.vendorId, productId: SIM_READER_INFO.productId, interval: '200ms' } },
      uplink: { url: `ws://127.0.0.1:${proxyPort}/agent`, token },
      log: { level: 'trace' as const },
      control: { socket: join(dir, 'no-daemon.sock') },
      locale: 'en' as const,
    };
    const config = parseConfig(configInput);
    const agentLog = createFileLogger({ dir: config.paths.logs, level: 'trace', maxBytes: config.log.maxBytes, keep: config.log.keep });
    const agent = await createAgent({ config, log: agentLog.logger, hid: reader });
    agent.start();
    try {
      // The first poll opens the reader; swipes before that would find nobody listening.
      while (agent.monitor.readings()['card_reader.connected'] !== true) await new Promise((resolve) => setTimeout(resolve, 20));

      // Card or reader: a damaged card among good ones names its card by a keyed hash in memory; the
      // hint it gives (status, the self-test) and everything else must hold nothing of any card.
      reader.swipe(reports.good('visa'));
      reader.swipe(reports.partial('amex'));
      reader.swipe(reports.partial('amex'));
      reader.swipe(reports.good('mastercard'));
      const hinted = agent.status();
      expect(hinted.hints.map((h) => h.en)).toEqual([expect.stringMatching(/that card is damaged/)]);
      const localSelfTest = await agent.startSelfTest({ level: 'quick' }).result;
      expect(localSelfTest.checks.some((c) => c.name === 'hint')).toBe(true);
      localOutputs.push(JSON.stringify(hinted), JSON.stringify(localSelfTest));

      for (const card of ['visa', 'mastercard'] as const) {
        reader.swipe(reports.good(card));
        reader.swipe(reports.partial(card));
        reader.swipe(reports.noStartSentinel(card));
      }
      reader.swipe(reports.blank());
      for (let i = 0; i < 4; i++) reader.swipe(reports.failed());
      await until((rows) => rows.some((r) => r.kind === 'fault' && r.code === 'card_reader.read_errors_high'));

      // A swapped reader: its evidence (both identities) travels too.
      reader.unplug();
      reader.plug({ ...SIM_READER_INFO, serialNumber: 'STRANGER01' });
      await until((rows) => rows.some((r) => r.kind === 'fault' && r.code === 'card_reader.identity_changed'));
      reader.swipe(reports.good('visa'));
      await agent.startSelfTest({ level: 'quick', record: true }).result;
      await until((rows) => rows.some((r) => r.kind === 'self_test'));

      // The provider's copy of the bundle: asked over the hub, stored in its database, unpacked for the scan.
      const api = `http://127.0.0.1:${hub.address.port}/api`;
      const asked = await fetch(`${api}/terminals/T-LEAK/commands`, { method: 'POST', body: '{"name":"bundle"}', headers: { 'content-type': 'application/json' } });
      const { id } = (await asked.json()) as { id: string };
      let fromHub: Response;
      while ((fromHub = await fetch(`${api}/bundles/${id}`)).status !== 200) await new Promise((resolve) => setTimeout(resolve, 20));
      writeFileSync(join(dir, 'hub-bundle.tar.gz'), Buffer.from(await fromHub.arrayBuffer()));
      mkdirSync(join(dir, 'hub-bundle'));
      execFileSync('tar', ['xzf', join(dir, 'hub-bundle.tar.gz'), '-C', join(dir, 'hub-bundle')]);
      expect(readFileSync(join(dir, 'hub-bundle', 'posdiag-bundle', 'logs', 'posdiag.log'), 'utf8')).toMatch(/"outcome":"partial"/);

      // The provider's web console: every page an operator would open on this terminal, as served (an operator is
      // added last: from then on the API above would need a token).
      await addOperatorUser(join(dir, 'hub', 'hub.db'), { name: 'leak', role: 'admin', password: 'leak-password', by: 'leak-test' });
      const operator = new ConsoleClient(`http://127.0.0.1:${hub.address.port}`);
      expect((await operator.login('leak', 'leak-password')).status).toBe(303);
      const alarmPages = [...(await operator.get('/alarms?closed=any')).text.matchAll(/href="(\/alarms\/\d+)"/g)].map((m) => m[1]!);
      expect(alarmPages.length).toBeGreaterThan(0);
      for (const path of ['/', '/alarms?closed=any', '/terminals', '/terminals?q=T-LEAK', '/terminals/T-LEAK', ...new Set(alarmPages)]) {
        const page = await operator.get(path);
        expect(page.status, path).toBe(200);
        consolePages.push(`${path}\n${page.text}`);
      }
    } finally {
      await agent.stop();
      await hub.close();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      await agentLog.close();
      await hubLog.close();
    }

    const identityChanged = stored.find((r) => r.kind === 'fault' && r.code === 'card_reader.identity_changed');
    expect(JSON.stringify(identityChanged)).toMatch(/STRANGER01/);
    expect(readFileSync(join(dir, 'logs', 'posdiag.log'), 'utf8')).toMatch(/"outcome":"partial".*"tracks":"t1=ok\(61\) t2=decode_error t3=empty"/);
    // The proxy saw the reports themselves, unmasked: the scan below reads what really went over the wire.
    expect(frames.some((f) => f.includes('card_reader.read_errors_high'))).toBe(true);

    // The technician's bundle of that terminal, unpacked beside the rest so the scan reads it too.
    const configFile = join(dir, 'config.json');
    writeFileSync(configFile, JSON.stringify(configInput));
    const bundle = join(dir, 'bundle.tar.gz');
    expect((await runCli(['bundle', '-o', bundle, '--config', configFile])).code).toBe(0);
    mkdirSync(join(dir, 'bundle'));
    execFileSync('tar', ['xzf', bundle, '-C', join(dir, 'bundle')]);
    expect(readFileSync(join(dir, 'bundle', 'posdiag-bundle', 'logs', 'posdiag.log'), 'utf8')).toMatch(/read_errors_high/);
    // The swap file of that terminal (its slot for a spare), under the scan too.
    expect((await runCli(['swap', 'export', '-o', join(dir, 'swap.json'), '--config', configFile])).code).toBe(0);

    const scan = leaksUnder(dir);
    expect(consolePages.some((p) => p.includes('card_reader.read_errors_high'))).toBe(true);
    expect([
      ...scan.found,
      ...frames.flatMap((f, i) => leaks(`wire frame ${i}`, f)),
      ...leaks('hub rows', JSON.stringify(stored)),
      ...localOutputs.flatMap((o, i) => leaks(`local output ${i}`, o)),
      ...consolePages.flatMap((p) => leaks(`console page ${p.split('\n', 1)[0]}`, p)),
    ]).toEqual([]);
    // The hint stays on the terminal: no frame, row or file the hub has carries it.
    expect(frames.some((f) => f.includes('card is damaged')) || JSON.stringify(stored).includes('card is damaged')).toBe(false);
  });

  it('hidraw: reports read from the node as a plain file (whole, split, numbered, garbage) leave nothing in the log (trace), state or answers', async () => {
    const dir = tempDir('posdiag-leak-hidraw-');
    const reader = new HidrawCardReaderEmulator({ sysfs: join(dir, 'sys'), dev: join(dir, 'dev'), reportId: 3 });
    reader.plug();
    const config = parseConfig({
      terminal: { id: 'T-LEAK', model: 'SIM-990', serial: 'SIM-LEAK' },
      paths: { sysfs: join(dir, 'sys'), dev: join(dir, 'dev'), state: join(dir, 'state'), logs: join(dir, 'logs') },
      devices: { cardReader: { transport: 'hidraw', vendorId: SIM_READER_INFO.vendorId, productId: SIM_READER_INFO.productId, interval: '200ms' } },
      log: { level: 'trace' },
      control: { socket: join(dir, 'no-daemon.sock') },
      locale: 'en',
    });
    const agentLog = createFileLogger({ dir: config.paths.logs, level: 'trace', maxBytes: config.log.maxBytes, keep: config.log.keep });
    const agent = await createAgent({ config, log: agentLog.logger });
    agent.start();
    let answers = '';
    try {
      while (agent.monitor.readings()['card_reader.connected'] !== true) await new Promise((resolve) => setTimeout(resolve, 20));
      for (const card of ['visa', 'mastercard'] as const) {
        reader.swipe(reports.good(card));
        reader.swipe(reports.partial(card), { split: true });
        reader.swipe(reports.noStartSentinel(card));
      }
      reader.swipe(reports.failed());
      while (agent.monitor.readings()['card_reader.swipes'] !== 7) await new Promise((resolve) => setTimeout(resolve, 20));
      // A report the descriptor does not announce (id 9), holding a whole track: classified as garbage, zeroed.
      reader.writeRaw(Buffer.concat([Buffer.from([9]), Buffer.from(track2(TEST_CARDS.visa))]));
      const logged = () => readdirSync(config.paths.logs).some((f) => readFileSync(join(config.paths.logs, f), 'utf8').includes('unexpected HID report length'));
      for (let i = 0; i < 500 && !logged(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
      answers = JSON.stringify([agent.status(), await agent.startSelfTest({ level: 'quick' }).result]);
    } finally {
      await agent.stop();
      await agentLog.close();
      reader.close();
    }
    expect(readFileSync(join(dir, 'logs', 'posdiag.log'), 'utf8')).toMatch(/unexpected HID report length/);
    const scan = leaksUnder(dir);
    expect(scan.files).toBeGreaterThanOrEqual(2);
    expect([...scan.found, ...leaks('answers', answers)]).toEqual([]);
  });
});
