import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoredReport } from 'posdiag-hub';
import { runPosdiag } from '../helpers/cli-process.js';
import { batteryTerminal, startDaemonProcess, type DaemonProcess } from '../helpers/daemon-process.js';
import { startTestHub, TEST_TOKENS } from '../../../../test/support/hub-harness.js';
import { waitFor } from '../../../../test/support/wait-for.js';

/**
 * Issue 10 §5 on a real, tiny filesystem: the daemon's logs directory is a 64 KiB tmpfs (or a read-only
 * bind mount), a real hub receives the reports, `posdiag log` and `posdiag bundle` run as processes.
 */
let dir: string;
let logs: string;
let hub: Awaited<ReturnType<typeof startTestHub>>;
let daemon: DaemonProcess | undefined;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'posdiag-log-full-'));
  logs = join(dir, 'logs');
  mkdirSync(logs);
  hub = await startTestHub();
});
afterEach(async () => {
  await daemon?.stop();
  daemon = undefined;
  execFileSync('umount', [logs]);
  await hub.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

async function startAgent() {
  const { config, battery } = batteryTerminal(dir, { state: join(dir, 'state'), logs, socket: join(dir, 'control.sock') }, {
    uplink: { url: hub.hub.url, token: TEST_TOKENS['T-0001'] },
  });
  daemon = await startDaemonProcess(dir, config);
  return { daemon, battery };
}

const logFaults = () => hub.stored.filter((r): r is Extract<StoredReport, { kind: 'fault' }> => r.kind === 'fault' && r.code === 'agent.log_degraded');
const logFault = (state: 'raised' | 'cleared') => logFaults().find((r) => r.state === state);

/** Writes a filler file until the filesystem is full (ENOSPC); returns its path. */
function fill(into: string): string {
  const file = join(into, 'filler');
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(4096, 0x41);
  try {
    for (let i = 0; i < 10_000; i++) writeSync(fd, chunk);
    throw new Error('the filesystem did not fill up');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
  return file;
}

const jsonLines = (text: string) =>
  text
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('a full logs directory', () => {
  it('raises agent.log_degraded at the hub, posdiag log and the bundle show the recent lines, and freeing space clears it', async () => {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0750', 'tmpfs', logs]);
    const { daemon, battery } = await startAgent();

    const filler = fill(logs);
    // A broken attribute: the battery driver logs a reading problem on every poll (200 ms), so lines
    // keep coming while the disk is full.
    battery.writeRaw('BAT0', 'capacity', 'garbage');
    const raised = await waitFor(() => logFault('raised'), 'agent.log_degraded raised at the hub');
    expect(raised).toMatchObject({ category: 'software', severity: 'minor', evidence: { 'agent.log_storage': 'memory' } });
    expect(raised.remediation.length).toBeGreaterThan(0);

    const whileFull = await runPosdiag(['log', '--json', '--config', daemon.configFile]);
    expect(whileFull.code, whileFull.stderr).toBe(0);
    expect(whileFull.stderr).toMatch(/posdiag log: the last \d+ line\(s\) come from the daemon's memory: the log file cannot be written \(ENOSPC/);
    expect(whileFull.stderr).not.toMatch(/skipped/);
    const seen = jsonLines(whileFull.stdout);
    expect(seen.some((e) => e.msg === 'diagnostic log storage: memory' && e.level === 'error')).toBe(true);
    expect(seen.at(-1)).toMatchObject({ reading: 'battery.level_pct' });

    const bundleFile = join(dir, 'bundle.tgz');
    const bundle = await runPosdiag(['bundle', '-o', bundleFile, '--config', daemon.configFile]);
    expect(bundle.code, bundle.stderr).toBe(0);
    const listing = execFileSync('tar', ['tzf', bundleFile], { encoding: 'utf8' });
    expect(listing).toContain('posdiag-bundle/logs/memory-tail.log');
    const tailInBundle = execFileSync('tar', ['xzOf', bundleFile, 'posdiag-bundle/logs/memory-tail.log'], { encoding: 'utf8' });
    expect(jsonLines(tailInBundle).some((e) => e.msg === 'diagnostic log storage: memory')).toBe(true);

    rmSync(filler);
    const cleared = await waitFor(() => logFault('cleared'), 'agent.log_degraded cleared at the hub');
    expect(Date.parse(cleared.since)).toBeGreaterThanOrEqual(Date.parse(raised.since));
    // The lines held in memory are in the file now: reading the directory alone finds them.
    const fromFiles = await runPosdiag(['log', '--json', '--dir', logs]);
    expect(fromFiles.stderr).toBe('');
    const inFile = jsonLines(fromFiles.stdout);
    expect(inFile.some((e) => e.msg === 'diagnostic log storage: memory')).toBe(true);
    expect(inFile.some((e) => e.msg === 'diagnostic log storage: disk')).toBe(true);
    const afterwards = await runPosdiag(['log', '--json', '--config', daemon.configFile]);
    expect(afterwards.stderr).toBe('');
    expect(logFaults().map((r) => r.state)).toEqual(['raised', 'cleared']);
  });

  it('a read-only logs directory at start: the daemon runs, raises the fault, and clears it once the directory is writable', async () => {
    execFileSync('mount', ['--bind', logs, logs]);
    execFileSync('mount', ['-o', 'remount,ro,bind', logs]);
    const { daemon } = await startAgent();
    await waitFor(() => logFault('raised'), 'agent.log_degraded raised at the hub');
    const whileReadOnly = await runPosdiag(['log', '--json', '--config', daemon.configFile]);
    expect(whileReadOnly.stderr).toMatch(/come from the daemon's memory: the log file cannot be written \(EROFS/);
    expect(jsonLines(whileReadOnly.stdout).some((e) => e.msg === 'agent started')).toBe(true);

    execFileSync('mount', ['-o', 'remount,rw,bind', logs]);
    await waitFor(() => logFault('cleared'), 'agent.log_degraded cleared at the hub');
    const fromFiles = await runPosdiag(['log', '--json', '--dir', logs]);
    expect(jsonLines(fromFiles.stdout).some((e) => e.msg === 'agent started')).toBe(true);
  });
});
