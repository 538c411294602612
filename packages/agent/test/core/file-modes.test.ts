import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { requestDaemon } from '../../src/control/client.js';
import { batteryTerminal, startDaemonProcess } from '../helpers/daemon-process.js';
import { startTestHub, TEST_TOKENS } from '../../../../test/support/hub-harness.js';
import { waitFor } from '../../../../test/support/wait-for.js';
import { FROM_SOURCE } from '../../../../test/support/from-source.js';

/**
 * Issue 10 §6 as processes under the common umask 022: whatever the agent creates under paths.state and
 * paths.logs is 0640 (files) in 0750 directories (parents it had to make included); the control socket
 * is 0660.
 */
const BIN = fileURLToPath(new URL('../../src/cli/bin.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'posdiag-modes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `posdiag ARGS` through a shell that sets the umask first, as a login shell or a service manager would. */
function posdiagUnderUmask(umask: string, args: string[]) {
  return spawnSync('/bin/sh', ['-c', `umask ${umask} && exec "$0" "$@"`, process.execPath, ...FROM_SOURCE, BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
}

/** Every directory and file below `root`, the root included, with its permission bits. */
function modesBelow(root: string): Map<string, { dir: boolean; mode: number }> {
  const found = new Map<string, { dir: boolean; mode: number }>();
  const walk = (path: string) => {
    const st = statSync(path);
    found.set(relative(dir, path) || '.', { dir: st.isDirectory(), mode: st.mode & 0o777 });
    if (st.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
  };
  walk(root);
  return found;
}

describe('file modes under umask 022', () => {
  it('the shell umask applies to what a process creates without explicit modes (control)', () => {
    expect(spawnSync('/bin/sh', ['-c', `umask 022 && mkdir "$0" && touch "$0/f"`, join(dir, 'control')]).status).toBe(0);
    expect([statSync(join(dir, 'control')).mode & 0o777, statSync(join(dir, 'control', 'f')).mode & 0o777]).toEqual([0o755, 0o644]);
  });

  it('state, outbox and log files are 0640 in 0750 directories; the control socket is 0660', async () => {
    const hub = await startTestHub();
    try {
      const state = join(dir, 'var', 'lib', 'posdiag');
      const logs = join(dir, 'var', 'log', 'posdiag');
      const { config } = batteryTerminal(
        dir,
        { state, logs, socket: join(dir, 'run', 'control.sock') },
        { uplink: { url: hub.hub.url, token: TEST_TOKENS['T-0001'] } },
      );
      // The USB guard enrols the bus at first start: one more state file.
      mkdirSync(join(dir, 'sysfs', 'bus', 'usb', 'devices'), { recursive: true });
      (config.devices as Record<string, unknown>).usbGuard = { interval: '200ms' };

      const daemon = await startDaemonProcess(dir, config, { umask: '022' });
      expect(statSync(daemon.socket).mode & 0o777).toBe(0o660);
      // The directory the daemon made for it too: a member of the group can reach the socket, nobody else.
      expect(statSync(join(dir, 'run')).mode & 0o777).toBe(0o750);
      const selfTest = posdiagUnderUmask('022', ['self-test', '--json', '--config', daemon.configFile]);
      expect([0, 1], selfTest.stderr).toContain(selfTest.status);
      await waitFor(() => hub.stored.find((r) => r.kind === 'self_test'), 'the self-test report at the hub');
      await waitFor(async () => ((await requestDaemon(daemon.socket, 'status', {})) as { outbox: { pending: number } }).outbox.pending === 0 || undefined, 'the outbox to drain');
      expect(await daemon.stop()).toBe(0); // saves the lifetime counters on the way out

      const made = modesBelow(join(dir, 'var'));
      const names = [...made.keys()].sort();
      // What the agent writes, so the check below cannot pass on an empty tree.
      expect(names).toEqual(
        expect.arrayContaining([
          'var',
          'var/lib/posdiag/lifetime-counters.json',
          'var/lib/posdiag/usb-enrolled.json',
          'var/lib/posdiag/outbox',
          'var/lib/posdiag/outbox/outbox.log',
          'var/lib/posdiag/outbox/outbox.seq',
          'var/log/posdiag/posdiag.log',
        ]),
      );
      const wrong = [...made].filter(([, { dir: isDir, mode }]) => mode !== (isDir ? 0o750 : 0o640)).map(([name, { mode }]) => `${name} ${mode.toString(8)}`);
      expect(wrong).toEqual([]);
    } finally {
      await hub.cleanup();
    }
  });

  it('gives the same modes under umask 077 (a self-test without a daemon enrols the USB bus)', () => {
    const root = join(dir, 'strict');
    const state = join(root, 'state', 'posdiag');
    const { config } = batteryTerminal(root, { state, logs: join(root, 'logs'), socket: join(root, 'none.sock') });
    mkdirSync(join(root, 'sysfs', 'bus', 'usb', 'devices'), { recursive: true });
    (config.devices as Record<string, unknown>).usbGuard = {};
    const configFile = join(root, 'config.json');
    writeFileSync(configFile, JSON.stringify(config));
    const selfTest = posdiagUnderUmask('077', ['self-test', '--json', '--config', configFile]);
    expect([0, 1], selfTest.stderr).toContain(selfTest.status);
    const made = modesBelow(join(root, 'state'));
    expect([...made.keys()]).toContain('strict/state/posdiag/usb-enrolled.json');
    expect([...made].filter(([, { dir: isDir, mode }]) => mode !== (isDir ? 0o750 : 0o640))).toEqual([]);
  });
});
