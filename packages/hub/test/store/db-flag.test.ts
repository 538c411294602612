import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { shownDb } from '../../src/cli/hub-command.js';
import { runHubMain } from '../helpers/hub-main.js';

describe('posdiag hub --db URL and --instance', () => {
  const dir = mkdtempSync(join(tmpdir(), 'posdiag-hub-db-flag-'));
  const tokens = join(dir, 'tokens.json');
  writeFileSync(tokens, JSON.stringify({ 'T-0001': 'token-one' }));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = (args: string[]) => runHubMain(['--tokens', tokens, '--listen', '127.0.0.1:0', ...args]);

  it('exits 69 with one line when no PostgreSQL server answers, the password never shown', async () => {
    // Port 1 on loopback: nothing listens there.
    const { code, stderr } = await run(['--db', 'postgres://hub:s3cret@127.0.0.1:1/fleet']);
    expect(code).toBe(69);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/--db postgres:\/\/hub:\*\*\*@127\.0\.0\.1:1\/fleet: cannot use the PostgreSQL database: .*ECONNREFUSED/);
    expect(stderr).not.toContain('s3cret');
  });

  it('shows a URL without its password, and anything else as given', () => {
    expect(shownDb('postgres://hub@/fleet?host=/run/postgresql')).toBe('postgres://hub@/fleet?host=/run/postgresql');
    expect(shownDb('postgresql://hub:p%40ss@db.example:5432/fleet')).toBe('postgresql://hub:***@db.example:5432/fleet');
    expect(shownDb('/var/lib/posdiag/hub.db')).toBe('/var/lib/posdiag/hub.db');
  });

  it.each(['a b', '', 'x'.repeat(65), 'hub/1'])('exits 64 for --instance %j', async (name) => {
    const { code, stderr } = await run(['--db', join(dir, 'hub.db'), '--instance', name]);
    expect(code).toBe(64);
    expect(stderr).toMatch(/--instance must be 1 to 64 letters, digits or \. _ : @ -/);
  });
});
