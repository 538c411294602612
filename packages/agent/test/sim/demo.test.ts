import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { reportSchema } from 'posdiag-protocol';
import { runPosdiag } from '../helpers/cli-process.js';
import { signalChild } from '../../src/core/signal-child.js';
import { FROM_SOURCE } from '../../../../test/support/from-source.js';

const keep = mkdtempSync(join(tmpdir(), 'posdiag-demo-test-'));
afterAll(() => rmSync(keep, { recursive: true, force: true }));

describe('posdiag demo --json (process)', () => {
  it('prints every stored report as one JSON line: paper end raised and cleared, battery low raised, a damaged card hinted, card read errors high raised, a drop and the self-test after it', async () => {
    const { code, stdout, stderr } = await runPosdiag(['demo', '--duration', '14', '--json', '--keep', keep], { timeoutMs: 40_000 });
    expect(code, stderr).toBe(0);
    const rows = stdout.trim().split('\n').map((line) => JSON.parse(line));
    for (const row of rows) {
      const { receivedAt, ...report } = row;
      expect(typeof receivedAt).toBe('string');
      reportSchema.parse(report);
    }
    const faults = rows.filter((r) => r.kind === 'fault').map((r) => `${r.code} ${r.state}`);
    expect(faults).toEqual(expect.arrayContaining(['printer.paper_end raised', 'printer.paper_end cleared', 'battery.low raised']));
    expect(faults.indexOf('printer.paper_end raised')).toBeLessThan(faults.indexOf('printer.paper_end cleared'));
    const paperEnd = rows.find((r) => r.code === 'printer.paper_end');
    expect(paperEnd).toMatchObject({ terminal: 'T-DEMO-0001', category: 'io', severity: 'major' });
    // The simulated HID card reader: three good swipes, a damaged card's three failures (not the reader's), then four failures on a dirty head.
    const readErrors = rows.find((r) => r.code === 'card_reader.read_errors_high');
    expect(readErrors).toMatchObject({ state: 'raised', category: 'io', severity: 'major', device: { kind: 'cardReader', address: 'usb:0801:0002' } });
    expect(readErrors.evidence).toMatchObject({ 'card_reader.window_failures': 4, 'card_reader.last_swipe': 'lrc_or_parity_error' });
    // A damaged card among good ones is the merchant's hint on the terminal, never a report.
    expect(stderr).toMatch(/terminal hint \(not sent\): One card failed to read 3 times while other cards read fine: that card is damaged/);
    expect(JSON.stringify(rows)).not.toMatch(/card is damaged/);
    // The drop at the counter: raised with its height, the self-test run by itself once the terminal lay still, the drop closed by it.
    const dropped = rows.filter((r) => r.code === 'hardware.dropped');
    expect(dropped[0]).toMatchObject({ state: 'raised', severity: 'major', evidence: { 'accelerometer.drop_source': 'iio', 'accelerometer.drop_self_test': 'pending' } });
    expect(dropped[0].evidence['accelerometer.drop_height_m']).toBeGreaterThan(0.8);
    expect(dropped[0].evidence['accelerometer.drop_height_m']).toBeLessThan(1);
    const afterDrop = rows.find((r) => r.kind === 'self_test' && r.seq > dropped[0].seq);
    expect(afterDrop.result.checks.map((c: { device: string }) => c.device)).not.toContain('accelerometer');
    expect(dropped[1]).toMatchObject({ state: 'cleared', evidence: { 'accelerometer.drop_self_test': 'passed' } });
    // Seqs grow by exactly one: nothing was lost on the way.
    expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
    // --keep leaves the agent's state and logs and the hub's database.
    expect(existsSync(join(keep, 'hub', 'hub.db'))).toBe(true);
    expect(existsSync(join(keep, 'logs', 'posdiag.log'))).toBe(true);
    expect(existsSync(join(keep, 'state', 'outbox'))).toBe(true);
  });
});

describe('posdiag demo, Ctrl-C (process)', () => {
  it('stops everything cleanly on SIGINT and removes its temporary files', async () => {
    const { spawn } = await import('node:child_process');
    const { fileURLToPath } = await import('node:url');
    const child = spawn(process.execPath, [...FROM_SOURCE, fileURLToPath(new URL('../../src/cli/bin.ts', import.meta.url)), 'demo', '--duration', '120'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    await new Promise<void>((resolve) => child.stdout.on('data', () => stdout.includes('running 120 s') && resolve()));
    const filesDir = /files under (\S+)/.exec(stdout)![1]!;
    signalChild(child, 'SIGINT');
    expect(await exited).toBe(0);
    expect(stdout).toMatch(/posdiag demo: stopped/);
    expect(existsSync(filesDir)).toBe(false);
  });
});

describe('posdiag demo --console (process)', () => {
  it('prints the console address and a one-time login that opens the alarms page, runs until Ctrl-C, then cleans up', async () => {
    const { spawn } = await import('node:child_process');
    const { fileURLToPath } = await import('node:url');
    const { ConsoleClient } = await import('../../../../test/support/console-client.js');
    const child = spawn(process.execPath, [...FROM_SOURCE, fileURLToPath(new URL('../../src/cli/bin.ts', import.meta.url)), 'demo', '--console'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    await new Promise<void>((resolve) => child.stdout.on('data', () => stdout.includes('running until Ctrl-C') && resolve()));
    const [, url, user, password] = /web console (http:\/\/127\.0\.0\.1:\d+)\/ {2}user (\S+) {2}password (\S+)/.exec(stdout)!;
    const filesDir = /files under (\S+)/.exec(stdout)![1]!;
    const c = new ConsoleClient(url!);
    expect((await c.login(user!, password!)).status).toBe(303);
    const alarms = await c.get('/alarms');
    expect(alarms.status).toBe(200);
    expect(alarms.text).toContain('<tbody id="alarm-rows"');
    expect((await c.get('/terminals/T-DEMO-0001')).text).toContain('T-DEMO-0001');
    expect(stdout).not.toMatch(/posdiag demo: stopped/);
    signalChild(child, 'SIGINT');
    expect(await exited).toBe(0);
    expect(stdout).toMatch(/posdiag demo: stopped/);
    expect(existsSync(filesDir)).toBe(false);
  });

  it('refuses --console with --duration (exit 64)', async () => {
    const { code, stderr } = await runPosdiag(['demo', '--console', '--duration', '5'], { timeoutMs: 20_000 });
    expect(code).toBe(64);
    expect(stderr).toMatch(/--console runs until Ctrl-C/);
  });
});
