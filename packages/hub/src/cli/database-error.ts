import { CliError, EXIT } from 'posdiag-protocol/cli';
import { isPostgresUrl } from '../store/open-store.js';
import { SchemaTooNewError } from '../store/store.js';

/** The `--db` value as it may be shown: a PostgreSQL URL without its password. */
export function shownDb(db: string): string {
  return db.replace(/^(postgres(?:ql)?:\/\/[^:/@]*):[^@/]*@/, '$1:***@');
}

/**
 * Why the `--db` database cannot be used, said in terms of the flag: a database a newer hub upgraded
 * (78), a SQLite file that cannot be opened (73), a PostgreSQL server that refuses or is not there (69).
 * Anything else is returned as it is.
 */
export function databaseError(err: unknown, db: string): unknown {
  const code = (err as { code?: unknown }).code;
  if (err instanceof SchemaTooNewError) return new CliError(EXIT.config, `--db ${shownDb(db)}: ${err.message}`);
  // better-sqlite3's codes: the file is not a database, is locked, or its directory refuses it.
  if (typeof code === 'string' && code.startsWith('SQLITE_')) return new CliError(EXIT.cantCreate, `--db ${db}: cannot open the database: ${(err as Error).message}`);
  // pg: no server there (ECONNREFUSED, ENOENT for a socket directory), or the server refused us (SQLSTATE).
  if (isPostgresUrl(db) && typeof code === 'string') return new CliError(EXIT.unavailable, `--db ${shownDb(db)}: cannot use the PostgreSQL database: ${(err as Error).message}`);
  return err;
}
