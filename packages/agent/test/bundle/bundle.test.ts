import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tarGz } from '../../src/bundle/tar.js';
import { createSysfsBattery } from '../../src/devices/battery/emulator/sysfs-battery.js';
import { runCli } from '../helpers/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'posdiag-bundle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function untar(file: string): string {
  const out = mkdtempSync(join(dir, 'x-'));
  execFileSync('tar', ['xzf', file, '-C', out]);
  return join(out, 'posdiag-bundle');
}

describe('tar writer', () => {
  it('writes archives that GNU tar extracts byte for byte', async () => {
    const file = join(dir, 'plain.tar.gz');
    const big = Buffer.alloc(1500, 7);
    writeFileSync(file, await tarGz([{ name: 'posdiag-bundle/a.txt', data: Buffer.from('hello\n'), mtimeMs: 0 }, { name: 'posdiag-bundle/sub/b.bin', data: big, mtimeMs: 0 }]));
    const root = untar(file);
    expect(readFileSync(join(root, 'a.txt'), 'utf8')).toBe('hello\n');
    expect(readFileSync(join(root, 'sub', 'b.bin')).equals(big)).toBe(true);
  });
});

describe('posdiag bundle (no daemon)', () => {
  it('bundles redacted config, state, self-test, outbox stats and scrubbed logs', async () => {
    const sysfs = join(dir, 'sysfs');
    mkdirSync(sysfs);
    createSysfsBattery(sysfs, { levelPct: 15, status: 'discharging' });
    const logs = join(dir, 'logs');
    mkdirSync(logs);
    // A line as an older, unscrubbing writer might have left it.
    writeFileSync(join(logs, 'posdiag.log'), JSON.stringify({ time: '2026-01-01T00:00:00Z', level: 'info', msg: 'swipe ;4111111111111111=25121010000000000000? pan 5555555555554444' }) + '\n');
    const config = join(dir, 'config.json');
    writeFileSync(
      config,
      JSON.stringify({
        terminal: { id: 'T-B', model: 'X990', serial: 'SN-B' },
        paths: { sysfs, state: join(dir, 'state'), logs },
        devices: { battery: { source: 'sysfs' } },
        uplink: { url: 'wss://hub.example.com/agent', token: 'very-secret-token' },
        control: { socket: join(dir, 'no-daemon.sock') },
      }),
    );
    const out = join(dir, 'b.tar.gz');
    const { code, stdout } = await runCli(['bundle', '-o', out, '--config', config]);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(out);
    const root = untar(out);
    expect(readdirSync(root).sort()).toEqual(['config.json', 'logs', 'manifest.json', 'outbox.json', 'self-tests.json', 'status.json']);
    const text = readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => readFileSync(join(e.parentPath, e.name), 'utf8'))
      .join('\n');
    expect(text).not.toContain('very-secret-token');
    expect(text).not.toContain('4111111111111111');
    expect(text).not.toContain('5555555555554444');
    expect(JSON.parse(readFileSync(join(root, 'config.json'), 'utf8')).uplink.token).toBe('[redacted]');
    expect(JSON.parse(readFileSync(join(root, 'status.json'), 'utf8')).readings['battery.level_pct']).toBe(15);
    expect(JSON.parse(readFileSync(join(root, 'self-tests.json'), 'utf8'))[0].faults.map((f: { code: string }) => f.code)).toContain('battery.low');
    expect(JSON.parse(readFileSync(join(root, 'outbox.json'), 'utf8'))).toMatchObject({ pending: 0, storage: 'disk' });
    expect(readFileSync(join(root, 'logs', 'posdiag.log'), 'utf8')).toContain('555555******4444');
  });
});
