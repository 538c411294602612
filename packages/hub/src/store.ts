import Database from 'better-sqlite3';
import type { Category, FaultReport, Report, Severity } from 'posdiag-protocol';
import { BUNDLES_TABLE, BundleStore } from './bundle-store.js';

/** A stored report as the API and `onStored` show it: the report's own fields plus when the hub got it. */
export type StoredReport = Report & { receivedAt: string };

/** Seqs missing between the highest seq stored before and the report just stored (inclusive). */
export interface SeqGap {
  from: number;
  to: number;
}

export type InsertOutcome =
  | {
      status: 'stored';
      row: StoredReport;
      /** Set when the report's seq jumps past lastSeq + 1. */
      gap: SeqGap | null;
      /** Another id already holds this (terminal, seq): the agent's sequence was reset. */
      seqReused: boolean;
      /** For fault reports: whether it changed the fault's state ('stale' = a newer seq already did). */
      fault: 'applied' | 'stale' | null;
    }
  | { status: 'duplicate' }
  /** The id is stored already, but for another terminal or seq: never acked as a duplicate. */
  | { status: 'conflict'; existing: { terminal: string; seq: number } };

export interface OpenFault {
  code: string;
  instance: string | null;
  severity: Severity;
  category: Category;
  since: string;
  inhibitedBy: string | null;
  reportId: string;
  seq: number;
  /** The latest self-test that verified this fault after it was raised (SelfTestResult.verification); absent if none did. */
  verification?: FaultVerification;
}

/** A self-test's verdict on one open fault: whether the test still found it, and how the test went. */
export interface FaultVerification {
  reportId: string;
  ref: string | null;
  level: string;
  at: string;
  passed: boolean;
  stillPresent: boolean;
}

export interface ReportFilter {
  terminal?: string;
  kind?: Report['kind'];
  /** A self-test's short reference (its receipt's "Ref"), uppercase hex. */
  ref?: string;
}

/** Where a page of reports ended: the next page starts after it. */
export interface ReportCursor {
  terminal: string;
  seq: number;
  rowid: number;
}

export interface ReportPage {
  reports: StoredReport[];
  /** Set when there may be more after this page. */
  next: ReportCursor | null;
}

/** Step N brings a database from user_version N to N + 1. */
const MIGRATIONS = [
  `
  CREATE TABLE reports (
    id TEXT PRIMARY KEY,
    terminal TEXT NOT NULL,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    received_at TEXT NOT NULL,
    body TEXT NOT NULL -- the validated report, JSON
  );
  -- Not unique: a reset agent may reuse a seq with a new id, and both reports must be kept.
  CREATE INDEX reports_terminal_seq ON reports (terminal, seq);
  CREATE TABLE faults (
    terminal TEXT NOT NULL,
    code TEXT NOT NULL,
    instance_key TEXT NOT NULL, -- JSON of instance, so null and "" stay distinct under the primary key
    instance TEXT,
    state TEXT NOT NULL CHECK (state IN ('raised', 'cleared')),
    seq INTEGER NOT NULL,
    severity TEXT NOT NULL,
    category TEXT NOT NULL,
    since TEXT NOT NULL,
    inhibited_by TEXT,
    report_id TEXT NOT NULL,
    PRIMARY KEY (terminal, code, instance_key)
  );`,
  BUNDLES_TABLE,
];
const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * How long a statement waits for a lock another connection holds (a backup, an operator's sqlite3)
 * before failing with SQLITE_BUSY. Short, because the wait blocks the hub's event loop, every agent
 * and the API with it; the agent retries a report refused this way (`retryable`), so nothing is lost.
 */
const BUSY_TIMEOUT_MS = 200;

/**
 * The hub's durable store (SQLite, WAL, synchronous=FULL): every method commits before it returns,
 * so an ack sent after `insert` returns is an ack of data on disk.
 *
 * Invariants: each report id is stored once. `faults` holds the latest state per
 * (terminal, code, instance) by seq: a raise or clear older than the one applied is ignored. A cleared
 * fault keeps its row, so a stale raise arriving later cannot reopen it.
 */
export class HubStore {
  private readonly db: Database.Database;
  private readonly stmts;
  readonly insert: (report: Report, receivedAt: string) => InsertOutcome;
  /** Diagnostic bundles the terminals sent on the hub's `bundle` command. */
  readonly bundles: BundleStore;

  constructor(file: string) {
    this.db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.migrate();
    const db = this.db;
    this.stmts = {
      insertReport: db.prepare(
        'INSERT OR IGNORE INTO reports (id, terminal, seq, kind, received_at, body) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      byId: db.prepare<[string], { terminal: string; seq: number }>('SELECT terminal, seq FROM reports WHERE id = ?'),
      probe: db.prepare('SELECT 1 FROM reports LIMIT 1'),
      lastSeq: db.prepare<[string], { last: number | null }>('SELECT MAX(seq) AS last FROM reports WHERE terminal = ?'),
      seqHolders: db.prepare<[string, number, string], { n: number }>(
        'SELECT COUNT(*) AS n FROM reports WHERE terminal = ? AND seq = ? AND id <> ?',
      ),
      upsertFault: db.prepare(`
        INSERT INTO faults (terminal, code, instance_key, instance, state, seq, severity, category, since, inhibited_by, report_id)
        VALUES (@terminal, @code, @instanceKey, @instance, @state, @seq, @severity, @category, @since, @inhibitedBy, @reportId)
        ON CONFLICT (terminal, code, instance_key) DO UPDATE SET
          instance = excluded.instance, state = excluded.state, seq = excluded.seq, severity = excluded.severity,
          category = excluded.category, since = excluded.since, inhibited_by = excluded.inhibited_by,
          report_id = excluded.report_id
        WHERE excluded.seq > faults.seq`),
      openFaults: db.prepare<[], Omit<OpenFault, 'verification'> & { terminal: string }>(`
        SELECT terminal, code, instance, severity, category, since, inhibited_by AS inhibitedBy, report_id AS reportId, seq
        FROM faults WHERE state = 'raised' ORDER BY terminal, code, instance_key`),
      // The newest self-test after the raise whose verification names this fault (null-safe on instance).
      verification: db.prepare<[string, number, string, string | null], { id: string; body: string; stillPresent: number }>(`
        SELECT r.id, r.body, json_extract(v.value, '$.stillPresent') AS stillPresent
        FROM reports r, json_each(r.body, '$.result.verification') v
        WHERE r.terminal = ? AND r.kind = 'self_test' AND r.seq > ?
          AND json_extract(v.value, '$.code') = ? AND json_extract(v.value, '$.instance') IS ?
        ORDER BY r.seq DESC LIMIT 1`),
    };
    this.insert = this.db.transaction((report: Report, receivedAt: string) => this.insertInTransaction(report, receivedAt));
    this.bundles = new BundleStore(db);
  }

  /** Brings an older database up to SCHEMA_VERSION one step at a time, each step in its own transaction. */
  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) throw new Error(`hub database schema version ${version} is newer than this hub (${SCHEMA_VERSION})`);
    MIGRATIONS.slice(version).forEach((sql, i) => {
      this.db.transaction(() => {
        this.db.exec(sql);
        this.db.pragma(`user_version = ${version + i + 1}`);
      })();
    });
  }

  private insertInTransaction(report: Report, receivedAt: string): InsertOutcome {
    const previousLast = this.lastSeq(report.terminal);
    const inserted = this.stmts.insertReport.run(report.id, report.terminal, report.seq, report.kind, receivedAt, JSON.stringify(report));
    if (inserted.changes === 0) {
      const existing = this.stmts.byId.get(report.id)!;
      if (existing.terminal === report.terminal && existing.seq === report.seq) return { status: 'duplicate' };
      return { status: 'conflict', existing };
    }
    const gap = report.seq > previousLast + 1 ? { from: previousLast + 1, to: report.seq - 1 } : null;
    const seqReused = report.seq <= previousLast && this.stmts.seqHolders.get(report.terminal, report.seq, report.id)!.n > 0;
    const fault = report.kind === 'fault' ? (this.applyFault(report) ? 'applied' : 'stale') : null;
    return { status: 'stored', row: { ...report, receivedAt }, gap, seqReused, fault };
  }

  private applyFault(report: FaultReport): boolean {
    const result = this.stmts.upsertFault.run({
      terminal: report.terminal,
      code: report.code,
      instanceKey: JSON.stringify(report.instance),
      instance: report.instance,
      state: report.state,
      seq: report.seq,
      severity: report.severity,
      category: report.category,
      since: report.since,
      inhibitedBy: report.inhibitedBy,
      reportId: report.id,
    });
    return result.changes > 0;
  }

  /** When each terminal's latest report arrived, in ms since the epoch. */
  lastReceived(): Map<string, number> {
    const rows = this.db.prepare<[], { terminal: string; at: string }>('SELECT terminal, MAX(received_at) AS at FROM reports GROUP BY terminal').all();
    return new Map(rows.map((r) => [r.terminal, Date.parse(r.at)]));
  }

  /** Whether the database answers a read now (GET /healthz); a closed or broken connection does not. */
  readable(): boolean {
    try {
      this.stmts.probe.get();
      return true;
    } catch {
      return false;
    }
  }

  /** Highest seq stored for the terminal, 0 if none. */
  lastSeq(terminal: string): number {
    return this.stmts.lastSeq.get(terminal)?.last ?? 0;
  }

  /**
   * Stored reports, oldest first (by terminal, then seq, then arrival: a reset agent may reuse a seq), at
   * most `limit` of them after `after`. Keyset paging, so a page costs the same however deep it is and
   * reports stored meanwhile are neither skipped nor repeated.
   */
  reports(filter: ReportFilter = {}, page: { after?: ReportCursor; limit?: number } = {}): ReportPage {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (filter.terminal !== undefined) {
      where.push('terminal = ?');
      params.push(filter.terminal);
    }
    if (filter.kind !== undefined) {
      where.push('kind = ?');
      params.push(filter.kind);
    }
    if (filter.ref !== undefined) {
      where.push("json_extract(body, '$.result.ref') = ?");
      params.push(filter.ref.toUpperCase());
    }
    if (page.after) {
      where.push('(terminal, seq, rowid) > (?, ?, ?)');
      params.push(page.after.terminal, page.after.seq, page.after.rowid);
    }
    // One row past the page tells whether there is a next one.
    if (page.limit !== undefined) params.push(page.limit + 1);
    const sql = `SELECT rowid, terminal, seq, body, received_at FROM reports ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY terminal, seq, rowid${page.limit === undefined ? '' : ' LIMIT ?'}`;
    const rows = this.db.prepare<(string | number)[], { rowid: number; terminal: string; seq: number; body: string; received_at: string }>(sql).all(...params);
    const more = page.limit !== undefined && rows.length > page.limit;
    const kept = more ? rows.slice(0, page.limit) : rows;
    const last = kept.at(-1);
    return {
      reports: kept.map((r) => ({ ...(JSON.parse(r.body) as Report), receivedAt: r.received_at })),
      next: more && last ? { terminal: last.terminal, seq: last.seq, rowid: last.rowid } : null,
    };
  }

  /** Faults raised and not yet cleared, grouped by terminal. */
  openFaults(): Record<string, OpenFault[]> {
    const byTerminal: Record<string, OpenFault[]> = {};
    for (const { terminal, ...fault } of this.stmts.openFaults.all()) {
      const verification = this.verificationOf(terminal, fault);
      (byTerminal[terminal] ??= []).push(verification ? { ...fault, verification } : fault);
    }
    return byTerminal;
  }

  private verificationOf(terminal: string, fault: { code: string; instance: string | null; seq: number }): FaultVerification | null {
    const row = this.stmts.verification.get(terminal, fault.seq, fault.code, fault.instance);
    if (!row) return null;
    const { result } = JSON.parse(row.body) as Extract<Report, { kind: 'self_test' }>;
    return { reportId: row.id, ref: result.ref ?? null, level: result.level, at: result.finishedAt, passed: result.passed, stillPresent: row.stillPresent === 1 };
  }

  close(): void {
    this.db.close();
  }
}
