import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlRequestError, requestDaemon } from '../../src/control/client.js';
import { selfTestResultSchema } from 'posdiag-protocol';
import { EscPosPrinterEmulator } from '../../src/devices/printer/emulator/escpos-printer.js';
import { runPosdiag } from '../helpers/cli-process.js';
import { startTestHub, TEST_TOKENS } from '../../../../test/support/hub-harness.js';
import { printerOnPty, type PtyPrinter } from '../helpers/pty-printer.js';
import { waitFor } from '../../../../test/support/wait-for.js';
import { signalChild } from '../../src/core/signal-child.js';
import { FROM_SOURCE } from '../../../../test/support/from-source.js';

/** A real `posdiag run` daemon process, a printer emulator on a real pty, a real hub. */
const dir = mkdtempSync(join(tmpdir(), 'posdiag-daemon-'));
const socketPath = join(dir, 'run', 'control.sock');
const configFile = join(dir, 'config.json');
let hub: Awaited<ReturnType<typeof startTestHub>>;
let ptyPrinter: PtyPrinter;
let printer: EscPosPrinterEmulator;
let daemon: ChildProcess;
let daemonExit: Promise<number | null>;

beforeAll(async () => {
  hub = await startTestHub();
  ptyPrinter = await printerOnPty(dir);
  printer = ptyPrinter.printer;
  writeFileSync(
    configFile,
    JSON.stringify({
      terminal: { id: 'T-0001', model: 'X990', serial: 'SN-DAEMON' },
      paths: { state: join(dir, 'state'), logs: join(dir, 'logs') },
      devices: { printer: { transport: 'serial', path: ptyPrinter.path, interval: '500ms', timeout: '3s' } },
      uplink: { url: hub.hub.url, token: TEST_TOKENS['T-0001'] },
      control: { socket: socketPath },
      locale: 'en',
    }),
  );
  daemon = spawn(process.execPath, [...FROM_SOURCE, fileURLToPath(new URL('../../src/cli/bin.ts', import.meta.url)), 'run', '--config', configFile], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  daemonExit = new Promise((resolve) => daemon.once('close', resolve));
  await waitFor(() => (existsSync(socketPath) ? true : undefined), 'the control socket');
});

/** What the daemon wrote to its log, for failure messages. */
const daemonLog = () => {
  try {
    return readFileSync(join(dir, 'logs', 'posdiag.log'), 'utf8');
  } catch (err) {
    return `(no log: ${(err as Error).message})`;
  }
};

afterAll(async () => {
  signalChild(daemon, 'SIGKILL');
  await ptyPrinter.close();
  await hub.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe('posdiag run (daemon process)', () => {
  it('serves the control socket with mode 0660', () => {
    expect(statSync(socketPath).mode & 0o777).toBe(0o660);
  });

  it('answers `posdiag status` from its live state', async () => {
    const status = await waitFor(async () => {
      const { stdout } = await runPosdiag(['status', '--json', '--config', configFile]);
      const parsed = JSON.parse(stdout);
      return parsed.readings['printer.connected'] === true ? parsed : undefined;
    }, 'a status with the printer connected');
    expect(status.source).toBe('daemon');
    expect(status.readings['printer.paper']).toBe('ok');
  });

  it('runs `posdiag self-test` for the CLI and reports it to the hub; exit 1 names the fault', async () => {
    printer.set({ paper: 'end' });
    await waitFor(() => hub.stored.find((r) => r.kind === 'fault' && r.code === 'printer.paper_end'), 'paper_end at the hub');
    const { code, stdout } = await runPosdiag(['self-test', '--level', 'quick', '--json', '--config', configFile]);
    expect(code).toBe(1);
    const result = selfTestResultSchema.parse(JSON.parse(stdout));
    expect(result.faults.map((f) => f.code)).toContain('printer.paper_end');
    const report = await waitFor(() => hub.stored.find((r) => r.kind === 'self_test'), 'self_test report at the hub');
    expect(report.kind === 'self_test' && report.result.passed).toBe(false);
    printer.set({ paper: 'ok' });
    const healthy = await runPosdiag(['self-test', '--json', '--config', configFile]);
    expect(healthy.code).toBe(0);
  });

  it('refuses a second self-test while one runs, naming the running one', async () => {
    printer.set({ silent: true }); // each poll now waits out its timeouts
    let started!: () => void;
    const firstStarted = new Promise<void>((resolve) => (started = resolve));
    const first = requestDaemon(socketPath, 'self_test', {}, (line) => 'event' in line && line.event === 'started' && started());
    await firstStarted;
    const second = requestDaemon(socketPath, 'self_test', {});
    const outcomes = await Promise.allSettled([first, second]);
    printer.set({ silent: false });
    expect(outcomes[0].status).toBe('fulfilled');
    expect(outcomes[1].status).toBe('rejected');
    const err = (outcomes[1] as PromiseRejectedResult).reason as ControlRequestError;
    expect(err.code).toBe('busy');
    expect(err.runningTestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers bad requests with a reason and keeps serving', async () => {
    const { createConnection } = await import('node:net');
    const reply = await new Promise<string>((resolve) => {
      const s = createConnection(socketPath);
      let text = '';
      s.on('data', (c) => {
        text += c.toString();
        if (text.includes('\n')) (s.destroy(), resolve(text));
      });
      s.write('{"id": 7, "method": "format_disk"}\n');
    });
    expect(JSON.parse(reply)).toMatchObject({ id: 7, error: { code: 'bad_request' } });
    expect(await requestDaemon(socketPath, 'status', {})).toMatchObject({ source: 'daemon' });
  });

  it('runs the self-test the hub asks for', async () => {
    const before = hub.stored.filter((r) => r.kind === 'self_test').length;
    const response = await fetch(`${hub.api}/terminals/T-0001/commands`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'self_test', args: { level: 'quick' } }),
    });
    expect(response.status).toBe(202);
    const { id } = (await response.json()) as { id: string };
    const report = await waitFor(() => hub.stored.find((r) => r.kind === 'self_test' && r.commandId === id), 'the commanded self-test').catch((err: Error) => {
      throw new Error(`${err.message}; the daemon's log:\n${daemonLog().slice(-4000)}`);
    });
    expect(hub.stored.filter((r) => r.kind === 'self_test').length).toBe(before + 1);
    expect(report.kind === 'self_test' && report.result.terminal.serial).toBe('SN-DAEMON');
  });

  it('runs `posdiag self-test --level full --json`: the printer prints and cuts the test page; the hub gets it, findable by its ref', async () => {
    const before = printer.receipts.length;
    const { code, stdout } = await runPosdiag(['self-test', '--level', 'full', '--json', '--config', configFile]);
    expect(code).toBe(0);
    const result = selfTestResultSchema.parse(JSON.parse(stdout));
    expect(result).toMatchObject({ level: 'full', passed: true, ref: result.testId!.slice(0, 8).toUpperCase() });
    expect(result.checks).toEqual([
      { device: 'printer', name: 'status', passed: true, detail: 'ok' },
      { device: 'printer', name: 'receipt', passed: true, detail: 'printed and cut' },
    ]);
    expect(printer.receipts).toHaveLength(before + 1);
    const page = printer.receipts[before]!;
    expect(page.cut).toBe(true);
    expect(page.lines).toEqual(expect.arrayContaining(['PRINTER TEST', 'Terminal: T-0001', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ']));
    const report = await waitFor(() => hub.stored.find((r) => r.kind === 'self_test' && r.result.testId === result.testId), 'the full self-test at the hub');
    const found = (await (await fetch(`${hub.api}/reports?ref=${result.ref}`)).json()) as { id: string }[];
    expect(found.map((r) => r.id)).toEqual([report.id]);
  });

  it('prints the verdict receipt when the payment app asks for it (print: true)', async () => {
    const before = printer.receipts.length;
    const result = selfTestResultSchema.parse(await requestDaemon(socketPath, 'self_test', { print: true, locale: 'en' }));
    expect(result.passed).toBe(true);
    const verdict = printer.receipts[before]!;
    expect(verdict.cut).toBe(true);
    expect(verdict.lines[0]).toBe('SELF-TEST');
    expect(verdict.lines).toEqual(expect.arrayContaining(['Terminal: T-0001', '[OK] printer status', 'Result: PASSED', `Ref: ${result.ref}`]));
  });

  it('asks an interactive test\'s questions on the control connection and takes the answers', async () => {
    const prompts: string[] = [];
    const answered = await requestDaemon(socketPath, 'self_test', { level: 'interactive', locale: 'en' }, (line, reply) => {
      if (!('event' in line) || line.event !== 'prompt') return;
      prompts.push(line.text);
      if (line.kind === 'yes_no') reply.answer(line.promptId, true);
    });
    const result = selfTestResultSchema.parse(answered);
    expect(prompts).toEqual(['Is the test receipt legible? (yes/no)']);
    expect(result.level).toBe('interactive');
    expect(result.checks.at(-1)).toEqual({ device: 'printer', name: 'legible', passed: true, detail: 'legible' });
    expect(result.passed).toBe(true);
  });

  it('refuses `--level interactive` with no terminal to ask on (exit 64)', async () => {
    const { code, stderr } = await runPosdiag(['self-test', '--level', 'interactive', '--config', configFile]);
    expect(code).toBe(64);
    expect(stderr).toMatch(/needs a terminal/);
  });

  it('runs the full self-test the hub asks for', async () => {
    const before = printer.receipts.length;
    const response = await fetch(`${hub.api}/terminals/T-0001/commands`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'self_test', args: { level: 'full' } }),
    });
    expect(response.status).toBe(202);
    const { id } = (await response.json()) as { id: string };
    const report = await waitFor(() => hub.stored.find((r) => r.kind === 'self_test' && r.commandId === id), 'the commanded full self-test');
    expect(report.kind === 'self_test' && report.result.level).toBe('full');
    expect(report.kind === 'self_test' && report.result.passed).toBe(true);
    expect(printer.receipts.slice(before).map((r) => r.lines[0])).toEqual(['PRINTER TEST']);
  });

  it('bundles the daemon\'s live state', async () => {
    const out = join(dir, 'bundle.tar.gz');
    const { code } = await runPosdiag(['bundle', '-o', out, '--config', configFile]);
    expect(code).toBe(0);
    const { execFileSync } = await import('node:child_process');
    const manifest = JSON.parse(execFileSync('tar', ['xzOf', out, 'posdiag-bundle/manifest.json'], { encoding: 'utf8' }));
    expect(manifest).toMatchObject({ terminal: 'T-0001', source: 'daemon' });
    const selfTests = JSON.parse(execFileSync('tar', ['xzOf', out, 'posdiag-bundle/self-tests.json'], { encoding: 'utf8' }));
    expect(selfTests).toHaveLength(1);
  });

  it('stops cleanly on SIGTERM', async () => {
    expect(signalChild(daemon, 'SIGTERM')).toBe(true);
    expect(await daemonExit).toBe(0);
  });
});
