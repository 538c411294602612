import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import type { Report } from 'posdiag-protocol';
import { MAX_BATCH } from '../packages/hub/src/store/group-commit.js';
import { startPostgres, type PostgresServer } from '../test/support/postgres-server.js';
import { startHubChild, startRawWsChild, type ServerChild } from './support/servers.js';
import { benchReport, closeAll, connectAll, pumpAll, terminalIds, WINDOW } from './support/terminals.js';

const TERMINAL_COUNTS = [1, 100, 1_000];
/** Timed reports per (backend, M), split evenly over the M terminals. */
const REPORTS = 60_000;
/** Untimed reports first (split likewise), so JIT warm-up is not counted. */
const WARMUP = 2_000;
/** Wall-clock cap of one timed phase: terminals stop sending then (the reports sent are still counted). */
const CAP_MS = 60_000;
/** The goals on this 2-core box; printed beside the figures, not asserted. */
const GOAL_PER_SEC = { sqlite: 20_000, postgres: 10_000 } as const;

/**
 * Hub ingest: M terminals (1, 100, 1000; bench/support/terminals.ts) each send reports (heartbeats, every
 * 10th a fault) as fast as the agent's window (32 unacked) allows to a real hub, `posdiag-hub` as a child
 * process on loopback, on SQLite (WAL, synchronous=FULL) and on a PostgreSQL 15 server as shipped
 * (fsync on). Measured: reports stored and acked per second (an ack follows the commit); afterwards the
 * hub's database must hold exactly the number sent (counted there directly).
 *
 * Two baselines in the same run, per cell: (a) raw ws: a bare `ws` server child that welcomes and acks
 * every frame (bench/support/raw-ws-server.ts), the same clients, frames and window; (b) raw db: the same
 * report JSON inserted into one plain table (id primary key, (terminal, seq) index) of the same backend, in
 * batches of what the hub could group at most (min(M × window, MAX_BATCH)), one transaction each: a
 * better-sqlite3 transaction of N inserts, or one `INSERT … SELECT * FROM unnest(…)` for PostgreSQL.
 * `ratio` = hub ÷ raw ws on SQLite with 1000 terminals.
 */
export default async function run(): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'posdiag-bench-ingest-'));
  const postgres = await startPostgres();
  const figures: Record<string, number> = {};
  try {
    console.log('backend   M     hub/s  raw ws/s  raw db/s  hub÷ws  hub÷db  stored/sent      goal');
    for (const backend of [sqliteBackend(dir), postgresBackend(postgres)]) {
      for (const m of TERMINAL_COUNTS) {
        const cell = await measureCell(backend, m, dir);
        const key = `${backend.name}_m${m}`;
        Object.assign(figures, { [`${key}_hubPerSec`]: cell.hub, [`${key}_rawWsPerSec`]: cell.rawWs, [`${key}_rawDbPerSec`]: cell.rawDb, [`${key}_stored`]: cell.stored });
        console.log(
          [
            backend.name.padEnd(8),
            String(m).padStart(4),
            ...[cell.hub, cell.rawWs, cell.rawDb].map((n) => String(n).padStart(9)),
            ...[cell.hub / cell.rawWs, cell.hub / cell.rawDb].map((r) => r.toFixed(3).padStart(7)),
            `${cell.stored}/${cell.sent}${cell.stored === cell.sent ? '' : ' MISMATCH'}`.padStart(13),
            `≥ ${GOAL_PER_SEC[backend.name]}/s`.padStart(10),
          ].join(' '),
        );
      }
    }
    return { reportsPerCell: REPORTS, window: WINDOW, ...figures, ratio: Number((figures.sqlite_m1000_hubPerSec! / figures.sqlite_m1000_rawWsPerSec!).toFixed(3)) };
  } finally {
    postgres.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One report as both paths carry it: its JSON, stored as is by the raw db baseline, framed for the wire. */
interface Row {
  report: Report;
  json: string;
}

interface Backend {
  name: keyof typeof GOAL_PER_SEC;
  /** A new empty database for a hub: its --db. */
  newDatabase(label: string): Promise<string>;
  /** How many reports the hub stored in `db`. */
  countStored(db: string): Promise<number>;
  /** A plain reports table in a new database of this backend; `insert` commits `batch` rows per transaction. */
  rawInserter(label: string): Promise<{ insert(rows: readonly Row[], batch: number): Promise<void>; count(): Promise<number>; close(): Promise<void> }>;
}

async function measureCell(backend: Backend, m: number, dir: string) {
  const ids = terminalIds(m);
  const warm = Math.ceil(WARMUP / m);
  const timed = Math.ceil(REPORTS / m);
  const rows = ids.map((id) => Array.from({ length: warm + timed }, (_, i) => toRow(benchReport(id, i + 1))));
  const frames = rows.map((rs) => rs.map((r) => `{"type":"report","report":${r.json}}`));

  const rawWs = await overWebSocket(await startRawWsChild(), ids, frames, warm);
  const db = await backend.newDatabase(`hub_m${m}`);
  const hub = await overWebSocket(await startHubChild(dir, db, ids), ids, frames, warm);
  const stored = await backend.countStored(db);

  const raw = await backend.rawInserter(`raw_m${m}`);
  try {
    const batch = Math.min(m * WINDOW, MAX_BATCH);
    await raw.insert(rows.flatMap((rs) => rs.slice(0, warm)), batch);
    const timedRows = rows.flatMap((rs) => rs.slice(warm));
    const start = performance.now();
    await raw.insert(timedRows, batch);
    const rawDb = Math.round((timedRows.length / (performance.now() - start)) * 1000);
    const rawStored = await raw.count();
    if (rawStored !== warm * m + timedRows.length) throw new Error(`raw db baseline stored ${rawStored} of ${warm * m + timedRows.length}`);
    return { hub: hub.perSec, rawWs: rawWs.perSec, rawDb, stored, sent: hub.sent };
  } finally {
    await raw.close();
  }
}

const toRow = (report: Report): Row => ({ report, json: JSON.stringify(report) });

/** Connects the terminals to `server`, sends the warm-up frames, then the rest timed; stops the server. */
async function overWebSocket(server: ServerChild, ids: readonly string[], frames: readonly string[][], warm: number) {
  try {
    const terminals = await connectAll(server.url, ids);
    try {
      const warmup = await pumpAll(terminals, frames.map((f) => f.slice(0, warm)), CAP_MS);
      const run = await pumpAll(terminals, frames.map((f) => f.slice(warm)), CAP_MS);
      return { sent: warmup.sent + run.sent, perSec: Math.round((run.acked / run.ms) * 1000) };
    } finally {
      closeAll(terminals);
    }
  } finally {
    await server.stop();
  }
}

function sqliteBackend(dir: string): Backend {
  return {
    name: 'sqlite',
    newDatabase: async (label) => join(dir, `${label}.db`),
    async countStored(file) {
      const db = new Database(file, { readonly: true });
      try {
        return db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM reports').get()!.n;
      } finally {
        db.close();
      }
    },
    async rawInserter(label) {
      const db = new Database(join(dir, `${label}.db`));
      // The hub's settings (store/sqlite/sqlite-store.ts): every commit is on disk.
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.exec(`CREATE TABLE reports (id TEXT PRIMARY KEY, terminal TEXT NOT NULL, seq INTEGER NOT NULL, kind TEXT NOT NULL, received_at TEXT NOT NULL, body TEXT NOT NULL);
        CREATE INDEX reports_terminal_seq ON reports (terminal, seq);`);
      const insert = db.prepare('INSERT INTO reports (id, terminal, seq, kind, received_at, body) VALUES (?, ?, ?, ?, ?, ?)');
      const commit = db.transaction((rows: readonly Row[]) => {
        const at = new Date().toISOString();
        for (const { report, json } of rows) insert.run(report.id, report.terminal, report.seq, report.kind, at, json);
      });
      return {
        async insert(rows, batch) {
          for (let i = 0; i < rows.length; i += batch) commit(rows.slice(i, i + batch));
        },
        count: async () => db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM reports').get()!.n,
        close: async () => void db.close(),
      };
    },
  };
}

function postgresBackend(server: PostgresServer): Backend {
  const withClient = async <T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  };
  const count = (client: pg.Client) => client.query<{ n: string }>('SELECT count(*) AS n FROM reports').then((r) => Number(r.rows[0]!.n));
  return {
    name: 'postgres',
    newDatabase: (label) => server.createDatabase(label),
    countStored: (url) => withClient(url, count),
    async rawInserter(label) {
      const client = new pg.Client({ connectionString: await server.createDatabase(label) });
      await client.connect();
      await client.query(`CREATE TABLE reports (id text PRIMARY KEY, terminal text NOT NULL, seq bigint NOT NULL, kind text NOT NULL, received_at timestamptz NOT NULL, body jsonb NOT NULL);
        CREATE INDEX reports_terminal_seq ON reports (terminal, seq);`);
      return {
        async insert(rows, batch) {
          for (let i = 0; i < rows.length; i += batch) {
            const slice = rows.slice(i, i + batch);
            const col = <T>(f: (r: Row) => T) => slice.map(f);
            const at = new Date().toISOString();
            await client.query(
              'INSERT INTO reports (id, terminal, seq, kind, received_at, body) SELECT * FROM unnest($1::text[], $2::text[], $3::int8[], $4::text[], $5::timestamptz[], $6::jsonb[])',
              [col((r) => r.report.id), col((r) => r.report.terminal), col((r) => r.report.seq), col((r) => r.report.kind), col(() => at), col((r) => r.json)],
            );
          }
        },
        count: () => count(client),
        close: () => client.end(),
      };
    },
  };
}
