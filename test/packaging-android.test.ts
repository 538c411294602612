import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../packages/agent/src/config/load.js';

/** What packaging/android/ ships, checked with the agent's own config loader and the example run as a process. */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ANDROID = join(ROOT, 'packaging', 'android');
const RELAY = join(ANDROID, 'printer-relay-example.mjs');

describe('packaging/android', () => {
  it('config.json is a valid agent config for an Android terminal: app printer, hidraw reader, dumpsys battery, /data/vendor paths', () => {
    const config = loadConfig(join(ANDROID, 'config.json'));
    expect(config.devices.printer).toMatchObject({ transport: 'app', staleAfter: '45s' });
    expect(config.devices.cardReader).toMatchObject({ transport: 'hidraw' });
    expect(config.devices.battery).toMatchObject({ source: 'dumpsys' });
    expect(config.devices.modem).toBeUndefined();
    expect([config.paths.state, config.paths.logs, config.control.socket].every((p) => p.startsWith('/data/vendor/posdiag/'))).toBe(true);
    // The init service runs this file, from where the README says it goes.
    expect(readFileSync(join(ROOT, 'packaging', 'posdiag.rc'), 'utf8')).toContain('--config /vendor/etc/posdiag/config.json');
    expect(readFileSync(join(ANDROID, 'README.md'), 'utf8')).toContain('`/vendor/etc/posdiag/config.json`');
  });

  it('the example relay client says what is wrong with a clear line and its exit code', () => {
    const bad = spawnSync(process.execPath, [RELAY, '--colour'], { encoding: 'utf8' });
    expect(bad.status).toBe(64);
    expect(bad.stderr).toMatch(/^printer-relay-example: unknown argument --colour\nusage: /);
    const dir = mkdtempSync(join(tmpdir(), 'posdiag-relay-'));
    try {
      const none = spawnSync(process.execPath, [RELAY, '--socket', join(dir, 'control.sock')], { encoding: 'utf8', input: '' });
      expect(none.status).toBe(69);
      expect(none.stderr).toMatch(/^printer-relay-example: cannot reach the posdiag daemon on .*control\.sock: .*ENOENT/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
