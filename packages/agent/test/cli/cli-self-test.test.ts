import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { selfTestResultSchema } from 'posdiag-protocol';
import type { EscPosPrinterState } from '../../src/devices/printer/emulator/escpos-printer.js';
import { runPosdiag } from '../helpers/cli-process.js';
import { printerOnPty, type PtyPrinter } from '../helpers/pty-printer.js';

/** `posdiag self-test --level quick --json` as a real process, with only a serial printer on a real pty. */
const dir = mkdtempSync(join(tmpdir(), 'posdiag-cli-selftest-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeConfig(printerPath: string): string {
  const file = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      terminal: { id: 'T-PTY-1', model: 'X990', serial: 'SN-1' },
      paths: { state: join(dir, 'state'), logs: join(dir, 'logs') },
      control: { socket: join(dir, 'no-daemon.sock') },
      devices: { printer: { transport: 'serial', path: printerPath, baudRate: 115200, timeout: '3s' } },
      locale: 'en',
    }),
  );
  return file;
}

let ptyPrinter: PtyPrinter | undefined;

async function printerAt(state: Partial<EscPosPrinterState>): Promise<string> {
  ptyPrinter = await printerOnPty(mkdtempSync(join(dir, 'pty-')), state);
  return ptyPrinter.path;
}

afterEach(async () => {
  await ptyPrinter?.close();
  ptyPrinter = undefined;
});

async function selfTest(configFile: string) {
  const result = await runPosdiag(['self-test', '--level', 'quick', '--json', '--config', configFile]);
  return { ...result, json: selfTestResultSchema.parse(JSON.parse(result.stdout)) };
}

describe('posdiag self-test (process, printer on a pty)', () => {
  it('passes a healthy printer with exit 0', async () => {
    const { code, json } = await selfTest(writeConfig(await printerAt({})));
    expect(json.passed).toBe(true);
    expect(json.checks).toEqual([{ device: 'printer', name: 'status', passed: true, detail: 'ok' }]);
    expect(json.readings).toMatchObject({ 'printer.connected': true, 'printer.online': true, 'printer.paper': 'ok' });
    expect(json.faults).toEqual([]);
    expect(code).toBe(0);
  });

  it('names printer.paper_end and exits 1 when the paper is out', async () => {
    const { code, json } = await selfTest(writeConfig(await printerAt({ paper: 'end' })));
    expect(code).toBe(1);
    expect(json.passed).toBe(false);
    expect(json.readings['printer.paper']).toBe('end');
    expect(json.faults.map((f) => f.code)).toContain('printer.paper_end');
    const fault = json.faults.find((f) => f.code === 'printer.paper_end')!;
    expect(fault).toMatchObject({ category: 'io', severity: 'major', inhibitedBy: null });
    expect(fault.remediation.length).toBeGreaterThan(0);
  });

  it.each([
    [{ paper: 'near_end' as const }, 'printer.paper_near_end', { 'printer.paper': 'near_end' }],
    [{ coverOpen: true }, 'printer.cover_open', { 'printer.cover_open': true }],
    [{ cutterJam: true, cutterObstructed: true }, 'printer.cutter_error', { 'printer.cutter_error': true }],
    [{ headOverheat: true }, 'printer.head_overheat', { 'printer.head_overheat': true }],
    [{ unrecoverable: true }, 'printer.unrecoverable_error', { 'printer.unrecoverable_error': true }],
    [{ offline: true }, 'printer.offline', { 'printer.online': false }],
  ])('%o → %s, exit 1', async (state, code, readings) => {
    const { code: exit, json } = await selfTest(writeConfig(await printerAt(state)));
    expect(json.readings).toMatchObject(readings);
    expect(json.faults.filter((f) => f.inhibitedBy === null).map((f) => f.code)).toEqual([code]);
    expect(exit).toBe(1);
  });

  it('reports a silent printer as printer.disconnected, other printer faults inhibited', async () => {
    const { code, json } = await selfTest(writeConfig(await printerAt({ silent: true })));
    expect(code).toBe(1);
    expect(json.readings['printer.connected']).toBe(false);
    expect(json.faults.filter((f) => f.inhibitedBy === null).map((f) => f.code)).toEqual(['printer.disconnected']);
  });

  it('reports a path that does not exist as printer.disconnected', async () => {
    const { code, json } = await selfTest(writeConfig(join(dir, 'no-such-tty')));
    expect(code).toBe(1);
    expect(json.faults.map((f) => f.code)).toContain('printer.disconnected');
  });
});

describe('posdiag exit codes (process)', () => {
  it('exits 78 and names the key for a bad config', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ terminal: { id: 'T-1' }, devices: { battery: { source: 'sysfs', nmae: 'BAT0' } } }));
    const { code, stderr, stdout } = await runPosdiag(['self-test', '--config', file, '--json']);
    expect(code).toBe(78);
    expect(stderr).toMatch(/devices\.battery: unknown key "nmae"/);
    expect(stdout).toBe('');
  });

  it('exits 64 for a usage error', async () => {
    const { code, stderr } = await runPosdiag(['self-test', '--level', 'deep']);
    expect(code).toBe(64);
    expect(stderr).toMatch(/--level must be one of quick, full, interactive/);
  });
});
