import Database from 'better-sqlite3';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { SchemaTooNewError } from '../../src/store/store.js';
import { SQLITE_MIGRATIONS } from '../../src/store/sqlite/schema.js';
import { startHubProcess } from '../../../../test/support/hub-process.js';
import { makeHeartbeat } from '../../../../test/support/reports.js';
import { TEST_BACKEND } from '../../../../test/support/test-db.js';
import { insertOne, openTestStore } from '../helpers/store.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Marks the database as written by a hub ten schema versions ahead of this one. */
async function makeNewer(db: string): Promise<void> {
  if (TEST_BACKEND === 'sqlite') {
    const raw = new Database(db);
    raw.pragma(`user_version = ${(raw.pragma('user_version', { simple: true }) as number) + 10}`);
    raw.close();
    return;
  }
  const client = new pg.Client({ connectionString: db });
  await client.connect();
  await client.query('UPDATE hub_schema SET version = version + 10').finally(() => client.end());
}

describe('hub database schema versions', () => {
  it('refuses a database a newer hub wrote, leaving it as it was', async () => {
    const { store, db, dispose } = await openTestStore();
    try {
      await insertOne(store, makeHeartbeat({ seq: 1 }), '2026-01-01T00:00:00.000Z');
      await store.close();
      await makeNewer(db);
      await expect(openStore(db)).rejects.toThrow(SchemaTooNewError);
      await expect(openStore(db)).rejects.toThrow(/newer than this hub's \d+: run a posdiag-hub at least as new/);
    } finally {
      await dispose();
    }
  });

  it('posdiag-hub on such a database exits 78 with that one line', async () => {
    const { store, db, dispose } = await openTestStore();
    const dir = mkdtempSync(join(tmpdir(), 'posdiag-schema-'));
    const tokens = join(dir, 'tokens.json');
    writeFileSync(tokens, JSON.stringify({ 'T-0001': 'token-one' }));
    try {
      await store.close();
      await makeNewer(db);
      await expect(startHubProcess(['--tokens', tokens, '--db', db])).rejects.toThrow(/exited 78: .*--db .*schema version \d+, newer than this hub's/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await dispose();
    }
  });

  it.runIf(TEST_BACKEND === 'sqlite')('SQLite: brings a database of the first version up to date, keeping its reports and seeding presence from them', async () => {
    const { store, db, dispose } = await openTestStore();
    try {
      await store.close();
      // What a hub of the first version left: its one step of the schema, version 1, a report in it.
      for (const file of [db, `${db}-wal`, `${db}-shm`]) rmSync(file, { force: true });
      const raw = new Database(db);
      raw.exec(SQLITE_MIGRATIONS[0]!);
      const report = makeHeartbeat({ seq: 1 });
      raw.prepare('INSERT INTO reports (id, terminal, seq, kind, received_at, body) VALUES (?, ?, ?, ?, ?, ?)').run(report.id, report.terminal, 1, 'heartbeat', '2026-01-01T00:00:00.000Z', JSON.stringify(report));
      raw.pragma('user_version = 1');
      raw.close();
      const upgraded = await openStore(db);
      expect((await upgraded.reports()).reports.map((r) => r.seq)).toEqual([1]);
      expect(await upgraded.listBundles()).toEqual([]);
      // Last heard when its last report arrived, as the hub used to work out at every start.
      expect(await upgraded.presence()).toEqual([{ terminal: 'T-0001', holder: null, leaseExpires: null, lastHeard: Date.parse('2026-01-01T00:00:00.000Z'), silent: false }]);
      await upgraded.close();
      const check = new Database(db, { readonly: true });
      expect(check.pragma('user_version', { simple: true })).toBe(SQLITE_MIGRATIONS.length);
      check.close();
    } finally {
      await dispose();
    }
  });

  it.runIf(TEST_BACKEND === 'sqlite')('SQLite: rebuilds the users table for the technician role, keeping each user and what points at them', async () => {
    const { store, db, dispose } = await openTestStore();
    try {
      await store.close();
      for (const file of [db, `${db}-wal`, `${db}-shm`]) rmSync(file, { force: true });
      // A database one step before the technician role, with a user, a token and a session of theirs.
      const raw = new Database(db);
      const before = SQLITE_MIGRATIONS.findIndex((step) => step.includes("'technician'"));
      expect(before).toBeGreaterThan(0);
      for (const step of SQLITE_MIGRATIONS.slice(0, before)) raw.exec(step);
      raw.prepare('INSERT INTO users (name, role, password_hash, disabled, created_at) VALUES (?, ?, ?, 0, 1)').run('otto', 'operator', 'scrypt$x');
      raw.prepare('INSERT INTO api_tokens (id, user_name, name, hash, created_at) VALUES (?, ?, ?, ?, 1)').run('tok1', 'otto', 'laptop', 'ab'.repeat(32));
      raw.prepare('INSERT INTO sessions (hash, user_name, created_at, expires_at) VALUES (?, ?, 1, 2)').run('cd'.repeat(32), 'otto');
      expect(() => raw.prepare("INSERT INTO users (name, role, password_hash, created_at) VALUES ('tess', 'technician', 'x', 1)").run()).toThrow(/CHECK constraint/);
      raw.pragma(`user_version = ${before}`);
      raw.close();
      const upgraded = await openStore(db);
      expect(await upgraded.operators.user('otto')).toMatchObject({ name: 'otto', role: 'operator', disabled: false });
      await upgraded.close();
      const check = new Database(db);
      check.prepare("INSERT INTO users (name, role, password_hash, created_at) VALUES ('tess', 'technician', 'x', 1)").run();
      expect(check.prepare('SELECT u.name FROM api_tokens t JOIN users u ON u.name = t.user_name').all()).toEqual([{ name: 'otto' }]);
      expect(check.pragma('foreign_key_check')).toEqual([]);
      // The references still bind: a token of nobody is refused, as before the step.
      expect(check.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(() => check.prepare("INSERT INTO api_tokens (id, user_name, name, hash, created_at) VALUES ('tok2', 'nobody', 'x', 'ef', 1)").run()).toThrow(/FOREIGN KEY/);
      check.close();
    } finally {
      await dispose();
    }
  });
});
