import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { EXIT } from 'posdiag-protocol/cli';
import { runPosdiag } from '../packages/agent/test/helpers/cli-process.js';
import { freePort } from '../packages/agent/test/helpers/delivery-hub.js';
import { startTestHub } from './support/hub-harness.js';

/**
 * What ships in packaging/ and the Dockerfile, checked with the tools that read them: systemd-analyze and
 * systemd-sysusers on the unit and its user (offline: no running systemd needed), and the Dockerfile's
 * HEALTHCHECK command run as a process against a real hub (there is no Docker daemon to build the image).
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const UNIT = join(ROOT, 'packaging', 'posdiag.service');

const run = (command: string, args: string[]) => {
  const result = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
};

/** The unit's settings, each key with every value it is given (comments and section headers left out). */
function unitSettings(text: string): Map<string, string[]> {
  const settings = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (m) settings.set(m[1]!, [...(settings.get(m[1]!) ?? []), m[2]!]);
  }
  return settings;
}

describe('packaging/posdiag.service', () => {
  const unit = unitSettings(readFileSync(UNIT, 'utf8'));
  const one = (key: string) => unit.get(key)?.join(' ');
  const words = (key: string) => (unit.get(key) ?? []).flatMap((v) => v.split(/\s+/));

  it('passes systemd-analyze verify without a warning', () => {
    expect(run('systemd-analyze', ['verify', UNIT])).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('scores an exposure of at most 4.0 in systemd-analyze security', () => {
    const { code, stdout } = run('systemd-analyze', ['security', '--offline=yes', UNIT]);
    expect(code).toBe(0);
    const exposure = /Overall exposure level for posdiag\.service: (\d+\.\d+) /.exec(stdout);
    expect(exposure, stdout).not.toBeNull();
    expect(Number(exposure![1])).toBeLessThanOrEqual(4.0);
  });

  it('runs as its own user with the device groups, without privileges, in a read-only system', () => {
    expect([one('User'), one('Group')]).toEqual(['posdiag', 'posdiag']);
    expect(words('SupplementaryGroups').sort()).toEqual(['dialout', 'input', 'plugdev']);
    expect(one('NoNewPrivileges')).toBe('yes');
    expect(one('CapabilityBoundingSet')).toBe('');
    expect(one('ProtectSystem')).toBe('strict');
    expect(one('PrivateTmp')).toBe('yes');
    expect(one('UMask')).toBe('0027');
    // Writable: exactly the directories systemd makes for it.
    expect(words('ReadWritePaths').sort()).toEqual([`/run/${one('RuntimeDirectory')}`, `/var/lib/${one('StateDirectory')}`, `/var/log/${one('LogsDirectory')}`].sort());
    expect(words('RestrictAddressFamilies').sort()).toEqual(['AF_INET', 'AF_INET6', 'AF_NETLINK', 'AF_UNIX']);
  });

  it('reaches only the serial, HID, USB and input device classes, the keypad read-only', () => {
    expect(one('DevicePolicy')).toBe('closed');
    expect(unit.get('DeviceAllow')!.sort()).toEqual(['char-hidraw rw', 'char-input r', 'char-ttyACM rw', 'char-ttyS rw', 'char-ttyUSB rw', 'char-usb_device rw']);
  });

  it('restarts after a crash but not after a configuration error, and reopens its log on reload', () => {
    expect(one('Restart')).toBe('on-failure');
    expect(words('RestartPreventExitStatus')).toContain(String(EXIT.config));
    expect(one('ExecReload')).toBe('/bin/kill -HUP $MAINPID');
  });

  it('has its user and group made by packaging/posdiag.sysusers (systemd-sysusers into a scratch root)', () => {
    const root = mkdtempSync(join(tmpdir(), 'posdiag-sysusers-'));
    try {
      mkdirSync(join(root, 'etc'));
      for (const file of ['passwd', 'group']) copyFileSync(join('/etc', file), join(root, 'etc', file));
      const { code } = run('systemd-sysusers', [`--root=${root}`, join(ROOT, 'packaging', 'posdiag.sysusers')]);
      expect(code).toBe(0);
      expect(readFileSync(join(root, 'etc', 'passwd'), 'utf8')).toMatch(/^posdiag:x:\d+:\d+:[^:]*:\/var\/lib\/posdiag:\/usr\/sbin\/nologin$/m);
      expect(readFileSync(join(root, 'etc', 'group'), 'utf8')).toMatch(/^posdiag:x:\d+:$/m);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('Dockerfile', () => {
  const lines = readFileSync(join(ROOT, 'Dockerfile'), 'utf8').replace(/\\\n\s*/g, '').split('\n');
  const finalStage = lines.slice(lines.reduce((last, l, i) => (l.startsWith('FROM ') ? i : last), 0));
  const healthcheck = finalStage.find((l) => l.startsWith('HEALTHCHECK '));
  /** The HEALTHCHECK's command (exec form), with its URL's port replaced by `port`. */
  const probe = (port: number) => (JSON.parse(healthcheck!.replace(/^HEALTHCHECK .*?CMD /, '')) as string[]).map((arg) => arg.replace(/:8080\//, `:${port}/`));

  /** Runs node with `args` (asynchronously: the hub answering it lives in this process). */
  const exitCode = (args: string[]) =>
    new Promise<number | null>((resolve, reject) => spawn(process.execPath, args, { stdio: 'ignore' }).once('error', reject).once('exit', resolve));

  let hub: Awaited<ReturnType<typeof startTestHub>> | undefined;
  afterEach(async () => {
    await hub?.cleanup();
    hub = undefined;
  });

  it('runs the image as a user other than root', () => {
    const user = finalStage.filter((l) => l.startsWith('USER ')).at(-1);
    expect(user).toBeDefined();
    expect(user!.slice(5).trim()).not.toMatch(/^(root|0)(:|$)/);
  });

  it("checks the hub's default address (8080) and its HEALTHCHECK command exits 0 on a hub's /healthz and 1 without a hub", async () => {
    expect(healthcheck).toMatch(/fetch\('http:\/\/127\.0\.0\.1:8080\/healthz'\)/);
    expect(finalStage).toContain('CMD ["hub"]'); // so the hub listens where the check looks: its default
    expect((await runPosdiag(['hub', '--help'])).stdout).toMatch(/default 127\.0\.0\.1:8080\b/);
    hub = await startTestHub();
    const [command, ...args] = probe(hub.hub.address.port);
    expect(command).toBe('node');
    expect(await exitCode(args)).toBe(0);
    expect(await exitCode(probe(await freePort()).slice(1))).toBe(1);
  });
});
