import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPosdiag } from '../helpers/cli-process.js';
import { batteryTerminal, startDaemonProcess, type DaemonProcess } from '../helpers/daemon-process.js';

/** Issue 10 §3: a real daemon, a real `posdiag self-test` through it, a real `posdiag log`. */
const dir = mkdtempSync(join(tmpdir(), 'posdiag-log-selftest-'));
let daemon: DaemonProcess;

beforeAll(async () => {
  const { config } = batteryTerminal(dir, { state: join(dir, 'state'), logs: join(dir, 'logs'), socket: join(dir, 'control.sock') });
  daemon = await startDaemonProcess(dir, config);
});
afterAll(async () => {
  await daemon?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('self-tests in posdiag log', () => {
  it('shows each self-test with its level and verdict, filterable by --kind, and skips no line', async () => {
    for (const level of ['quick', 'full']) {
      const run = await runPosdiag(['self-test', '--level', level, '--json', '--config', daemon.configFile]);
      expect([0, 1], run.stderr).toContain(run.code);
    }

    const all = await runPosdiag(['log', '--json', '--config', daemon.configFile]);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stderr).not.toMatch(/skipped/);
    const entries = all.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries.length).toBeGreaterThan(2); // "agent started" and more besides the self-tests
    for (const entry of entries) expect(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).toContain(entry.level);

    const selfTests = await runPosdiag(['log', '--json', '--kind', 'self_test', '--config', daemon.configFile]);
    expect(selfTests.stderr).toBe('');
    const found = selfTests.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(found).toEqual([
      expect.objectContaining({ level: 'info', msg: 'self-test', kind: 'self_test', testLevel: 'quick', verdict: expect.stringMatching(/^(passed|failed)$/) }),
      expect.objectContaining({ level: 'info', msg: 'self-test', kind: 'self_test', testLevel: 'full', verdict: expect.stringMatching(/^(passed|failed)$/) }),
    ]);

    const human = await runPosdiag(['log', '--kind', 'self_test', '--config', daemon.configFile]);
    expect(human.stdout).toMatch(/INFO .*self-test .*testLevel=quick verdict=(passed|failed)/);
  });
});
