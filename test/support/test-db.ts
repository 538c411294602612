import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';

/** Which store the hub suite runs against: vitest.config.ts runs it once per backend. */
export const TEST_BACKEND: 'sqlite' | 'postgres' = process.env.POSDIAG_TEST_BACKEND === 'postgres' ? 'postgres' : 'sqlite';

export interface TestDatabase {
  /** What `--db` / `HubOptions.db` takes: a SQLite path, or a postgres:// URL. */
  db: string;
  drop(): Promise<void>;
}

/**
 * A new, empty hub database on the suite's backend: a SQLite file in a new temp directory, or a new
 * database on the suite's PostgreSQL server (postgres-global-setup.ts).
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  if (TEST_BACKEND === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'posdiag-hubdb-'));
    return { db: join(dir, 'hub.db'), drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const adminUrl = inject('postgresAdminUrl');
  const name = `hub_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`).finally(() => admin.end());
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    db: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).finally(() => c.end());
    },
  };
}
