import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startHubProcess } from '../../../../test/support/hub-process.js';
import { waitFor } from '../../../../test/support/wait-for.js';
import { runPosdiag } from '../helpers/cli-process.js';
import { openControlConnection } from '../helpers/control-connection.js';
import { batteryTerminalConfig, startDaemonProcess } from '../helpers/daemon-process.js';

interface HubFault {
  code: string;
  severity: string;
  category?: string;
}

describe('the hub locks a terminal and tells of its work order (process: posdiag hub and posdiag run, the payment app on the control socket)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'posdiag-lock-process-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the app sees the lock event and lock_state, the fault reaches the hub, a restart keeps it locked, unlock clears both; then a work order', async () => {
    writeFileSync(join(dir, 'tokens.json'), JSON.stringify({ 'T-0001': 'token-one' }));
    const hub = await startHubProcess(['--tokens', join(dir, 'tokens.json'), '--db', join(dir, 'hub.db')]);
    const api = `${hub.base}/api`;
    const paths = { state: join(dir, 'state'), logs: join(dir, 'logs'), socket: join(dir, 'control.sock') };
    const config = batteryTerminalConfig(dir, paths, { uplink: { url: hub.url, token: 'token-one' } });
    let daemon = await startDaemonProcess(dir, config);
    const post = async (name: string, args: Record<string, unknown>) => {
      const response = await fetch(`${api}/terminals/T-0001/commands`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, args }) });
      expect(response.status).toBe(202);
      const { id } = (await response.json()) as { id: string };
      return waitFor(async () => {
        const command = (await (await fetch(`${api}/commands/${id}`)).json()) as { state: string; detail: string | null };
        return command.state === 'succeeded' || command.state === 'failed' ? command : undefined;
      }, `the result of ${name}`);
    };
    const openFaults = async () => ((await (await fetch(`${api}/faults?state=open`)).json()) as { terminals: Record<string, HubFault[]> }).terminals['T-0001'] ?? [];
    const locked = async () => (await openFaults()).find((f) => f.code === 'security.terminal_locked');
    try {
      await waitFor(() => (hub.logged('agent connected').length > 0 ? true : undefined), 'the agent to connect');
      const app = await openControlConnection(paths.socket);
      expect(await app.request('lock_state')).toEqual({ locked: false, since: null, reason: null });

      expect(await post('lock', { reason: 'reported stolen' })).toMatchObject({ state: 'succeeded', detail: 'locked' });
      const [event] = await waitFor(() => (app.events('lock').length > 0 ? app.events('lock') : undefined), 'the lock event on the app connection');
      expect(event).toMatchObject({ id: null, event: 'lock', locked: true, reason: 'reported stolen' });
      expect(typeof event!.since).toBe('string');
      expect(await app.request('lock_state')).toEqual({ locked: true, since: event!.since, reason: 'reported stolen' });
      expect(await waitFor(locked, 'security.terminal_locked at the hub')).toMatchObject({ severity: 'critical' });
      // Locked, it still diagnoses and reports: its status answers, with the lock in it.
      expect(await app.request('status')).toMatchObject({ source: 'daemon', lock: { locked: true } });
      app.close();

      // A restart keeps it locked.
      expect(await daemon.stop()).toBe(0);
      daemon = await startDaemonProcess(dir, config);
      const appAfter = await openControlConnection(paths.socket);
      expect(await appAfter.request('lock_state')).toEqual({ locked: true, since: event!.since, reason: 'reported stolen' });
      await waitFor(() => (hub.logged('agent connected').length > 1 ? true : undefined), 'the agent to connect again');

      expect(await post('unlock', {})).toMatchObject({ state: 'succeeded', detail: 'unlocked' });
      const unlockEvent = await waitFor(() => appAfter.events('lock')[0], 'the unlock event');
      expect(unlockEvent).toEqual({ id: null, event: 'lock', locked: false, since: null, reason: null });
      expect(await appAfter.request('lock_state')).toEqual({ locked: false, since: null, reason: null });
      await waitFor(async () => ((await locked()) === undefined ? true : undefined), 'security.terminal_locked to clear at the hub');

      // The work order the hub tells of: kept, answered on the control socket, shown by posdiag status.
      await expect(appAfter.request('work_order')).rejects.toThrow(/not_found/);
      const workOrder = { ref: 'WO-7K2QF', state: 'accepted', url: 'https://hub.example/wo/q8Zr1' };
      expect(await post('work_order', workOrder)).toMatchObject({ state: 'succeeded', detail: 'work order WO-7K2QF (accepted) kept' });
      expect(await appAfter.request('work_order')).toEqual(workOrder);
      expect(await appAfter.request('status')).toMatchObject({ workOrder, lock: { locked: false } });
      const status = await runPosdiag(['status', '--config', daemon.configFile]);
      expect(status.code).toBe(0);
      expect(status.stdout).toContain('lock: not locked\nwork order: WO-7K2QF (accepted)\n  https://hub.example/wo/q8Zr1\n');
      appAfter.close();
    } finally {
      await daemon.stop();
      await hub.stop();
    }
  }, 90_000);
});
