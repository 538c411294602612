import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { startHubProcess } from '../../../../../test/support/hub-process.js';
import { waitFor } from '../../../../../test/support/wait-for.js';
import { runPosdiag } from '../../helpers/cli-process.js';
import { batteryTerminalConfig, startDaemonProcess } from '../../helpers/daemon-process.js';

describe('a report the hub cannot store now (process: posdiag hub and posdiag run)', () => {
  const agentDir = mkdtempSync(join(tmpdir(), 'posdiag-refusal-'));
  afterAll(() => rmSync(agentDir, { recursive: true, force: true }));

  it('arrives once the database is free again, on the same connection, exactly once', async () => {
    const dbFile = join(agentDir, 'hub.db');
    writeFileSync(join(agentDir, 'tokens.json'), JSON.stringify({ 'T-0001': 'token-one' }));
    const refusingHub = await startHubProcess(['--tokens', join(agentDir, 'tokens.json'), '--db', dbFile]);
    const paths = { state: join(agentDir, 'state'), logs: join(agentDir, 'logs'), socket: join(agentDir, 'control.sock') };
    const config = batteryTerminalConfig(agentDir, paths, { uplink: { url: refusingHub.url, token: 'token-one' } });
    const daemon = await startDaemonProcess(agentDir, config);
    const locker = new Database(dbFile);
    let locked = false;
    try {
      const api = `${refusingHub.base}/api`;
      const reports = async (kind: string) => (await (await fetch(`${api}/reports?terminal=T-0001&kind=${kind}`)).json()) as { id: string }[];
      await waitFor(() => (refusingHub.logged('agent connected').length > 0 ? true : undefined), 'the agent to connect');

      locker.exec('BEGIN EXCLUSIVE');
      locked = true;
      const selfTest = await runPosdiag(['self-test', '--json', '--config', daemon.configFile]);
      expect(selfTest.stderr).not.toMatch(/\n\s+at /);
      await waitFor(() => (refusingHub.logged('storing report failed').length > 0 ? true : undefined), 'the hub to refuse the self-test report');
      expect(await reports('self_test')).toEqual([]);
      locker.exec('ROLLBACK');
      locked = false;

      const stored = await waitFor(async () => {
        const found = await reports('self_test');
        return found.length > 0 ? found : undefined;
      }, 'the self-test report at the hub');
      expect(stored).toHaveLength(1);
      expect(refusingHub.logged('agent connected')).toHaveLength(1);
      const refusals = refusingHub.logged('frame refused');
      expect(refusals.length).toBeGreaterThan(0);
      expect(refusals.every((l) => l.retryable === true)).toBe(true);
      // Exactly once: every id the hub holds, once.
      const all = (await (await fetch(`${api}/reports?terminal=T-0001`)).json()) as { id: string }[];
      expect(new Set(all.map((r) => r.id)).size).toBe(all.length);
    } finally {
      if (locked) locker.exec('ROLLBACK');
      locker.close();
      await daemon.stop();
      await refusingHub.stop();
    }
  }, 90_000);
});
