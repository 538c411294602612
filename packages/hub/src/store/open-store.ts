import { PgStore } from './postgres/pg-store.js';
import { SqliteStore } from './sqlite/sqlite-store.js';
import type { HubStore } from './store.js';

/** Whether `--db` names a PostgreSQL database rather than a SQLite file. */
export const isPostgresUrl = (db: string) => /^postgres(ql)?:\/\//.test(db);

/**
 * The store `--db` names: a `postgres://USER@HOST:PORT/DB` (or `?host=/socket/dir`) URL is PostgreSQL,
 * anything else a SQLite file. Either way the schema is brought up to date, or the open fails with
 * SchemaTooNewError when a newer hub wrote it.
 */
export async function openStore(db: string): Promise<HubStore> {
  return isPostgresUrl(db) ? PgStore.open(db) : new SqliteStore(db);
}
