import type Database from 'better-sqlite3';

/** The hub's bundles table (migration step 2 of store.ts). */
export const BUNDLES_TABLE = `
  CREATE TABLE bundles (
    id TEXT PRIMARY KEY, -- the id of the bundle command that asked for it
    terminal TEXT NOT NULL,
    received_at TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    data BLOB NOT NULL -- the tar.gz as the agent built it (card data already scrubbed there)
  );
  CREATE INDEX bundles_terminal ON bundles (terminal, received_at);`;

export interface BundleInfo {
  id: string;
  terminal: string;
  receivedAt: string;
  size: number;
  sha256: string;
}

/** Diagnostic bundles by command id; each one stored once, committed before `put` returns. */
export class BundleStore {
  private readonly stmts;

  constructor(db: Database.Database) {
    this.stmts = {
      put: db.prepare('INSERT OR IGNORE INTO bundles (id, terminal, received_at, size, sha256, data) VALUES (?, ?, ?, ?, ?, ?)'),
      list: db.prepare<[string | null, string | null], BundleInfo>(
        'SELECT id, terminal, received_at AS receivedAt, size, sha256 FROM bundles WHERE (? IS NULL OR terminal = ?) ORDER BY received_at, id',
      ),
      get: db.prepare<[string], BundleInfo & { data: Buffer }>('SELECT id, terminal, received_at AS receivedAt, size, sha256, data FROM bundles WHERE id = ?'),
    };
  }

  /** False when a bundle of that id was already stored (it is kept as it was). */
  put(info: BundleInfo, data: Buffer): boolean {
    return this.stmts.put.run(info.id, info.terminal, info.receivedAt, info.size, info.sha256, data).changes > 0;
  }

  /** Oldest first, without their bytes. */
  list(terminal?: string): BundleInfo[] {
    return this.stmts.list.all(terminal ?? null, terminal ?? null);
  }

  get(id: string): (BundleInfo & { data: Buffer }) | undefined {
    return this.stmts.get.get(id);
  }
}
