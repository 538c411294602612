import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/test-db.js';
import { FROM_SOURCE } from '../../../../test/support/from-source.js';

const HUB_BIN = fileURLToPath(new URL('../../src/cli/bin.ts', import.meta.url));
const AGENT_BIN = fileURLToPath(new URL('../../../agent/src/cli/bin.ts', import.meta.url));

/** A program run to its end, `input` on its stdin (a pipe: not a terminal). */
function run(bin: string, args: string[], input = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...FROM_SOURCE, bin, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe('posdiag-hub user / posdiag hub user', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());

  it('adds users with the password from stdin, lists them, prints one token line, and disables', async () => {
    const db = ['--db', database.db];
    expect(await run(HUB_BIN, ['user', 'add', 'ada', '--role', 'admin', ...db], 'ada-password\n')).toMatchObject({ code: 0, stdout: '', stderr: 'user ada added (admin)\n' });
    // The same command through the agent's CLI.
    expect(await run(AGENT_BIN, ['hub', 'user', 'add', 'vera', '--role', 'viewer', ...db], 'vera-password')).toMatchObject({ code: 0, stdout: '' });

    const token = await run(HUB_BIN, ['user', 'token', 'ada', '--name', 'laptop', ...db]);
    expect(token.code).toBe(0);
    expect(token.stdout).toMatch(/^pdh_[A-Za-z0-9_-]{43}\n$/);

    const list = await run(AGENT_BIN, ['hub', 'user', 'list', ...db]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^ada\tadmin\tenabled\tcreated \S+\n  token [0-9a-f]{8}\tlaptop\tcreated \S+\tlast used never\nvera\tviewer\tenabled\tcreated \S+\n$/);
    expect(list.stdout).not.toContain(token.stdout.trim());

    expect(await run(HUB_BIN, ['user', 'disable', 'vera', ...db])).toMatchObject({ code: 0, stderr: 'user vera disabled\n' });

    const store = await openStore(database.db);
    try {
      expect((await store.operators.user('vera'))?.disabled).toBe(true);
      const stored = await store.operators.user('ada');
      expect(stored?.passwordHash).toMatch(/^scrypt\$32768\$8\$1\$/);
      const audit = await store.operators.audit({ limit: 10 });
      expect(audit.map((e) => [e.action, e.target, e.outcome])).toEqual([
        ['user.disable', 'vera', 'ok'],
        ['token.issue', 'ada', 'ok'],
        ['user.add', 'vera', 'ok'],
        ['user.add', 'ada', 'ok'],
      ]);
      expect(audit.every((e) => e.principal.startsWith('cli:'))).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('says in one line (and the usage) what is wrong: a taken name, a short password, a missing role, an unknown subcommand', async () => {
    const db = ['--db', database.db];
    expect(await run(HUB_BIN, ['user', 'add', 'ada', '--role', 'admin', ...db], 'another-password')).toMatchObject({ code: 64, stderr: expect.stringMatching(/^posdiag-hub user add: user ada exists already\nusage: /) });
    const short = await run(HUB_BIN, ['user', 'add', 'bob', '--role', 'admin', ...db], 'short');
    expect(short).toMatchObject({ code: 64, stderr: expect.stringMatching(/^posdiag-hub user add: the password must have at least 8 characters\n/) });
    expect((await run(HUB_BIN, ['user', 'add', 'bob', ...db], 'long-enough')).stderr).toMatch(/^posdiag-hub user add: --role viewer\|technician\|operator\|admin is required\n/);
    expect((await run(AGENT_BIN, ['hub', 'user', 'ad', ...db])).stderr).toMatch(/^posdiag hub user: unknown subcommand "ad".*add/);
    expect(await run(HUB_BIN, ['user', 'token', 'nobody', ...db])).toMatchObject({ code: 64, stdout: '', stderr: expect.stringMatching(/^posdiag-hub user token: no user nobody\n/) });
  });
});
