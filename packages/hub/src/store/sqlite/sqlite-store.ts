import Database from 'better-sqlite3';
import type { Report, SelfTestReport } from 'posdiag-protocol';
import { faultKey, instanceKey, pairKey, planBatch, type BatchLookups } from '../batch-plan.js';
import {
  bundlesBeyond,
  SETTLED_BEFORE,
  changedColumns,
  SchemaTooNewError,
  type BundleInfo,
  type CommandChange,
  type CommandRecord,
  type HoldOutcome,
  type HubStore,
  type PresenceRow,
  type PruneResult,
  type InsertOutcome,
  type OpenFault,
  type ReportCursor,
  type ReportFilter,
  type ReportPage,
  type ReportToStore,
} from '../store.js';
import { LocalFleet } from '../../fleet/local-fleet.js';
import type { Fleet, FleetJob } from '../../fleet/fleet.js';
import { toVerification } from '../verification.js';
import { SQLITE_MIGRATIONS } from './schema.js';
import { SqliteOperators } from './operators.js';
import { SqliteAlarms } from './alarms.js';
import { SqliteDeliveries } from './deliveries.js';
import { SqliteSilences } from './silences.js';
import { SqliteInventory } from './inventory.js';
import { SqliteWorkOrders } from './workorders.js';

const SCHEMA_VERSION = SQLITE_MIGRATIONS.length;

/**
 * How long a statement waits for a lock another connection holds (a backup, an operator's sqlite3)
 * before failing with SQLITE_BUSY. Short, because the wait blocks the hub's event loop, every agent
 * and the API with it; the agent retries a report refused this way (`retryable`), so nothing is lost.
 */
const BUSY_TIMEOUT_MS = 200;

/**
 * Rows one prune statement deletes, each its own transaction: a few milliseconds of the one writer, then
 * the event loop is the agents' and the API's again before the next batch.
 */
const PRUNE_BATCH = 5_000;

type FaultRowOut = Omit<OpenFault, 'verification'> & { terminal: string };

/**
 * The embedded backend: one SQLite file (WAL, synchronous=FULL), one hub process. better-sqlite3 is
 * synchronous, so each method has committed when it returns; the promises only give it the shape both
 * backends share. One batch is one transaction and one fsync, however many reports it holds.
 */
export class SqliteStore implements HubStore {
  readonly backend = 'sqlite';
  readonly operators: SqliteOperators;
  readonly alarms: SqliteAlarms;
  readonly deliveries: SqliteDeliveries;
  readonly silences: SqliteSilences;
  readonly inventory: SqliteInventory;
  readonly workorders: SqliteWorkOrders;
  private readonly db: Database.Database;
  private readonly stmts;
  private readonly runBatch: (items: readonly ReportToStore[]) => InsertOutcome[];

  constructor(file: string) {
    this.db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
    try {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = FULL');
      this.migrate();
    } catch (err) {
      this.db.close();
      throw err;
    }
    const db = this.db;
    this.operators = new SqliteOperators(db);
    this.alarms = new SqliteAlarms(db);
    this.deliveries = new SqliteDeliveries(db);
    this.silences = new SqliteSilences(db);
    this.inventory = new SqliteInventory(db);
    this.workorders = new SqliteWorkOrders(db);
    this.stmts = {
      insertReport: db.prepare('INSERT INTO reports (id, terminal, seq, kind, received_at, body) VALUES (?, ?, ?, ?, ?, ?)'),
      byId: db.prepare<[string], { terminal: string; seq: number }>('SELECT terminal, seq FROM reports WHERE id = ?'),
      probe: db.prepare('SELECT 1 FROM reports LIMIT 1'),
      lastSeq: db.prepare<[string], { last: number | null }>('SELECT MAX(seq) AS last FROM reports WHERE terminal = ?'),
      seqHeld: db.prepare<[string, number], { n: number }>('SELECT 1 AS n FROM reports WHERE terminal = ? AND seq = ? LIMIT 1'),
      faultSeq: db.prepare<[string, string, string], { seq: number }>('SELECT seq FROM faults WHERE terminal = ? AND code = ? AND instance_key = ?'),
      upsertFault: db.prepare(`
        INSERT INTO faults (terminal, code, instance_key, instance, state, seq, severity, category, since, inhibited_by, report_id)
        VALUES (@terminal, @code, @instanceKey, @instance, @state, @seq, @severity, @category, @since, @inhibitedBy, @reportId)
        ON CONFLICT (terminal, code, instance_key) DO UPDATE SET
          instance = excluded.instance, state = excluded.state, seq = excluded.seq, severity = excluded.severity,
          category = excluded.category, since = excluded.since, inhibited_by = excluded.inhibited_by,
          report_id = excluded.report_id
        WHERE excluded.seq > faults.seq`),
      openFaults: db.prepare<[], FaultRowOut>(`
        SELECT terminal, code, instance, severity, category, since, inhibited_by AS inhibitedBy, report_id AS reportId, seq
        FROM faults WHERE state = 'raised' ORDER BY terminal, code, instance_key`),
      // The newest self-test after the raise whose verification names this fault (null-safe on instance).
      verification: db.prepare<[string, number, string, string | null], { id: string; body: string; stillPresent: number }>(`
        SELECT r.id, r.body, json_extract(v.value, '$.stillPresent') AS stillPresent
        FROM reports r, json_each(r.body, '$.result.verification') v
        WHERE r.terminal = ? AND r.kind = 'self_test' AND r.seq > ?
          AND json_extract(v.value, '$.code') = ? AND json_extract(v.value, '$.instance') IS ?
        ORDER BY r.seq DESC LIMIT 1`),
      lastReceived: db.prepare<[], { terminal: string; at: string }>('SELECT terminal, MAX(received_at) AS at FROM reports GROUP BY terminal'),
      putBundle: db.prepare('INSERT OR IGNORE INTO bundles (id, terminal, received_at, size, sha256, data) VALUES (?, ?, ?, ?, ?, ?)'),
      listBundles: db.prepare<[string | null, string | null], BundleInfo>(
        'SELECT id, terminal, received_at AS receivedAt, size, sha256 FROM bundles WHERE (? IS NULL OR terminal = ?) ORDER BY received_at, id',
      ),
      getBundle: db.prepare<[string], BundleInfo & { data: Buffer }>('SELECT id, terminal, received_at AS receivedAt, size, sha256, data FROM bundles WHERE id = ?'),
      presenceOf: db.prepare<[string], { holder: string | null; silent: number }>('SELECT holder, silent FROM presence WHERE terminal = ?'),
      hold: db.prepare(`
        INSERT INTO presence (terminal, holder, last_heard, silent) VALUES (@terminal, @holder, @now, 0)
        ON CONFLICT (terminal) DO UPDATE SET holder = excluded.holder, last_heard = MAX(presence.last_heard, excluded.last_heard), silent = 0`),
      release: db.prepare('UPDATE presence SET holder = NULL, last_heard = MAX(last_heard, @heard) WHERE terminal = @terminal AND holder = @holder'),
      renewHub: db.prepare('INSERT INTO hubs (instance, lease_expires) VALUES (@holder, @expires) ON CONFLICT (instance) DO UPDATE SET lease_expires = excluded.lease_expires'),
      heard: db.prepare(`
        INSERT INTO presence (terminal, last_heard) VALUES (@terminal, @at)
        ON CONFLICT (terminal) DO UPDATE SET last_heard = MAX(presence.last_heard, excluded.last_heard)`),
      presence: db.prepare<[], { terminal: string; holder: string | null; leaseExpires: number | null; lastHeard: number; silent: number }>(
        `SELECT p.terminal, p.holder, h.lease_expires AS leaseExpires, p.last_heard AS lastHeard, p.silent
         FROM presence p LEFT JOIN hubs h ON h.instance = p.holder ORDER BY p.terminal`,
      ),
      // Its own statement, not an `? IS NULL OR` on the one above: that form cannot use the primary key.
      presenceOne: db.prepare<[string], { terminal: string; holder: string | null; leaseExpires: number | null; lastHeard: number; silent: number }>(
        `SELECT p.terminal, p.holder, h.lease_expires AS leaseExpires, p.last_heard AS lastHeard, p.silent
         FROM presence p LEFT JOIN hubs h ON h.instance = p.holder WHERE p.terminal = ?`,
      ),
      silentCandidates: db.prepare<[number, number], { terminal: string; lastHeard: number }>(
        `SELECT p.terminal, p.last_heard AS lastHeard FROM presence p LEFT JOIN hubs h ON h.instance = p.holder
         WHERE p.silent = 0 AND p.last_heard <= ? AND (h.lease_expires IS NULL OR h.lease_expires <= ?) ORDER BY p.terminal`,
      ),
      markSilent: db.prepare('UPDATE presence SET silent = 1 WHERE terminal = ?'),
      forget: db.prepare('DELETE FROM presence WHERE terminal = ?'),
      recordCommand: db.prepare(`
        INSERT INTO commands (id, terminal, name, args, state, posted_by, posted_at, sent_by, sent_at, finished_at, detail)
        VALUES (@id, @terminal, @name, @args, @state, @postedBy, @postedAt, @sentBy, @sentAt, @finishedAt, @detail)`),
      claimRun: db.prepare(`
        INSERT INTO fleet_jobs (job, last_run) VALUES (@job, @now)
        ON CONFLICT (job) DO UPDATE SET last_run = excluded.last_run WHERE fleet_jobs.last_run <= @now - @every`),
      queuedCommands: db.prepare<[string], { id: string }>("SELECT id FROM commands WHERE terminal = ? AND state = 'queued' ORDER BY posted_at, id"),
      command: db.prepare<[string], Omit<CommandRecord, 'args'> & { args: string }>(`
        SELECT id, terminal, name, args, state, posted_by AS postedBy, posted_at AS postedAt, sent_by AS sentBy, sent_at AS sentAt,
          finished_at AS finishedAt, detail FROM commands WHERE id = ?`),
    };
    this.runBatch = db.transaction((items: readonly ReportToStore[]) => {
      const plan = planBatch(items, this.lookups(items));
      for (const { report, receivedAt } of plan.inserts) {
        this.stmts.insertReport.run(report.id, report.terminal, report.seq, report.kind, receivedAt, JSON.stringify(report));
      }
      for (const fault of plan.faults) this.stmts.upsertFault.run(fault);
      return plan.outcomes;
    });
  }

  /**
   * Brings an older database up to SCHEMA_VERSION one step at a time, each step in its own transaction.
   * Foreign keys are off meanwhile (a pragma a transaction cannot change), as SQLite's way of changing a
   * table asks: a step that rebuilds a referenced table must not cascade into the tables pointing at it.
   * Each step must leave every reference whole.
   */
  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) throw new SchemaTooNewError(version, SCHEMA_VERSION);
    if (version === SCHEMA_VERSION) return;
    this.db.pragma('foreign_keys = OFF');
    try {
      SQLITE_MIGRATIONS.slice(version).forEach((sql, i) => {
        this.db.transaction(() => {
          this.db.exec(sql);
          const broken = this.db.pragma('foreign_key_check') as unknown[];
          if (broken.length) throw new Error(`schema step ${version + i + 1} left ${broken.length} broken references`);
          this.db.pragma(`user_version = ${version + i + 1}`);
        })();
      });
    } finally {
      this.db.pragma('foreign_keys = ON');
    }
  }

  private lookups(items: readonly ReportToStore[]): BatchLookups {
    const lookups: BatchLookups = { byId: new Map(), lastSeq: new Map(), heldSeqs: new Set(), faultSeq: new Map() };
    for (const { report } of items) {
      const existing = this.stmts.byId.get(report.id);
      if (existing) lookups.byId.set(report.id, existing);
      const last = this.stmts.lastSeq.get(report.terminal)?.last;
      if (last != null) lookups.lastSeq.set(report.terminal, last);
      if (this.stmts.seqHeld.get(report.terminal, report.seq)) lookups.heldSeqs.add(pairKey(report.terminal, report.seq));
      if (report.kind === 'fault') {
        const fault = this.stmts.faultSeq.get(report.terminal, report.code, instanceKey(report.instance));
        if (fault) lookups.faultSeq.set(faultKey(report.terminal, report.code, report.instance), fault.seq);
      }
    }
    return lookups;
  }

  async insertBatch(items: readonly ReportToStore[]): Promise<InsertOutcome[]> {
    return items.length === 0 ? [] : this.runBatch(items);
  }

  async lastReceived(): Promise<Map<string, number>> {
    return new Map(this.stmts.lastReceived.all().map((r) => [r.terminal, Date.parse(r.at)]));
  }

  async readable(): Promise<boolean> {
    try {
      this.stmts.probe.get();
      return true;
    } catch {
      return false;
    }
  }

  async lastSeq(terminal: string): Promise<number> {
    return this.stmts.lastSeq.get(terminal)?.last ?? 0;
  }

  async reports(filter: ReportFilter = {}, page: { after?: ReportCursor; limit?: number } = {}): Promise<ReportPage> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (filter.terminal !== undefined) {
      where.push('terminal = ?');
      params.push(filter.terminal);
    }
    if (filter.terminals !== undefined) {
      // One parameter however many terminals: SQLite limits the number of parameters.
      where.push('terminal IN (SELECT value FROM json_each(?))');
      params.push(JSON.stringify(filter.terminals));
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
      params.push(page.after.terminal, page.after.seq, page.after.arrival);
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
      next: more && last ? { terminal: last.terminal, seq: last.seq, arrival: last.rowid } : null,
    };
  }

  async recentReports(terminal: string, page: { kind?: Report['kind']; before?: ReportCursor; limit: number }): Promise<ReportPage> {
    const where = ['terminal = ?'];
    const params: (string | number)[] = [terminal];
    if (page.kind !== undefined) {
      where.push('kind = ?');
      params.push(page.kind);
    }
    if (page.before) {
      where.push('(seq, rowid) < (?, ?)');
      params.push(page.before.seq, page.before.arrival);
    }
    params.push(page.limit + 1);
    const sql = `SELECT rowid, terminal, seq, body, received_at FROM reports WHERE ${where.join(' AND ')} ORDER BY seq DESC, rowid DESC LIMIT ?`;
    const rows = this.db.prepare<(string | number)[], { rowid: number; terminal: string; seq: number; body: string; received_at: string }>(sql).all(...params);
    const kept = rows.slice(0, page.limit);
    const last = kept.at(-1);
    return {
      reports: kept.map((r) => ({ ...(JSON.parse(r.body) as Report), receivedAt: r.received_at })),
      next: rows.length > page.limit && last ? { terminal: last.terminal, seq: last.seq, arrival: last.rowid } : null,
    };
  }

  async openFaults(): Promise<Record<string, OpenFault[]>> {
    const byTerminal: Record<string, OpenFault[]> = {};
    for (const { terminal, ...fault } of this.stmts.openFaults.all()) {
      const row = this.stmts.verification.get(terminal, fault.seq, fault.code, fault.instance);
      const verification = row ? toVerification(row.id, JSON.parse(row.body) as SelfTestReport, row.stillPresent === 1) : undefined;
      (byTerminal[terminal] ??= []).push(verification ? { ...fault, verification } : fault);
    }
    return byTerminal;
  }

  async putBundle(info: BundleInfo, data: Buffer): Promise<boolean> {
    return this.stmts.putBundle.run(info.id, info.terminal, info.receivedAt, info.size, info.sha256, data).changes > 0;
  }

  async listBundles(terminal?: string): Promise<BundleInfo[]> {
    return this.stmts.listBundles.all(terminal ?? null, terminal ?? null);
  }

  async getBundle(id: string): Promise<(BundleInfo & { data: Buffer }) | undefined> {
    return this.stmts.getBundle.get(id);
  }

  async holdTerminal(terminal: string, holder: string, nowMs: number, leaseMs: number): Promise<HoldOutcome> {
    return this.db.transaction(() => {
      const before = this.stmts.presenceOf.get(terminal);
      this.stmts.hold.run({ terminal, holder, now: nowMs });
      this.stmts.renewHub.run({ holder, expires: nowMs + leaseMs });
      return { previousHolder: before?.holder ?? null, wasSilent: before?.silent === 1 };
    })();
  }

  async releaseTerminal(terminal: string, holder: string, lastHeardMs: number): Promise<void> {
    this.stmts.release.run({ terminal, holder, heard: lastHeardMs });
  }

  async releaseAllHeldBy(holder: string): Promise<void> {
    this.db.prepare('UPDATE presence SET holder = NULL WHERE holder = ?').run(holder);
  }

  async renewLeases(holder: string, heard: ReadonlyMap<string, number>, nowMs: number, leaseMs: number): Promise<void> {
    this.db.transaction(() => {
      this.stmts.renewHub.run({ holder, expires: nowMs + leaseMs });
      for (const [terminal, at] of heard) this.stmts.heard.run({ terminal, at });
    })();
  }

  async presenceCounts(nowMs: number): Promise<{ connected: number; silent: number }> {
    const row = this.db
      .prepare<[number, number], { connected: number | null; silent: number | null }>(
        `SELECT sum(CASE WHEN h.lease_expires > ? THEN 1 ELSE 0 END) AS connected,
           sum(CASE WHEN p.silent = 1 AND NOT coalesce(h.lease_expires > ?, 0) THEN 1 ELSE 0 END) AS silent
         FROM presence p LEFT JOIN hubs h ON h.instance = p.holder`,
      )
      .get(nowMs, nowMs)!;
    return { connected: row.connected ?? 0, silent: row.silent ?? 0 };
  }

  async presence(terminal?: string): Promise<PresenceRow[]> {
    const rows = terminal === undefined ? this.stmts.presence.all() : this.stmts.presenceOne.all(terminal);
    return rows.map((r) => ({ ...r, silent: r.silent === 1 }));
  }

  async markSilent(heardBeforeMs: number, nowMs: number, exclude: readonly string[]): Promise<{ terminal: string; lastHeard: number }[]> {
    const skip = new Set(exclude);
    return this.db.transaction(() => {
      const found = this.stmts.silentCandidates.all(heardBeforeMs, nowMs).filter((r) => !skip.has(r.terminal));
      for (const { terminal } of found) this.stmts.markSilent.run(terminal);
      return found;
    })();
  }

  async forgetTerminal(terminal: string): Promise<void> {
    this.stmts.forget.run(terminal);
  }

  async recordCommand(command: CommandRecord): Promise<void> {
    this.stmts.recordCommand.run({ ...command, args: JSON.stringify(command.args) });
  }

  async updateCommand(id: string, change: CommandChange): Promise<void> {
    const set = changedColumns(change);
    if (set.length === 0) return;
    this.db.prepare(`UPDATE commands SET ${set.map(([column]) => `${column} = ?`).join(', ')} WHERE id = ?`).run(...set.map(([, value]) => value), id);
  }

  async queuedCommands(terminal: string): Promise<string[]> {
    return this.stmts.queuedCommands.all(terminal).map((r) => r.id);
  }

  async command(id: string): Promise<CommandRecord | undefined> {
    const row = this.stmts.command.get(id);
    return row ? { ...row, args: JSON.parse(row.args) as unknown } : undefined;
  }

  async prune(olderThanMs: number, bundleBytes?: number, signal?: AbortSignal): Promise<PruneResult> {
    const before = new Date(olderThanMs).toISOString();
    const gone = async (table: string, where: string, param: string | number) => {
      const stmt = this.db.prepare(`DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table} WHERE ${where} LIMIT ${PRUNE_BATCH})`);
      let total = 0;
      for (;;) {
        await new Promise((resolve) => setImmediate(resolve));
        if (signal?.aborted) return total;
        const { changes } = stmt.run(param);
        total += changes;
        if (changes < PRUNE_BATCH) return total;
      }
    };
    const reports = await gone('reports', 'received_at < ?', before);
    const commands = await gone('commands', 'posted_at < ?', olderThanMs);
    let bundles = await gone('bundles', 'received_at < ?', before);
    if (bundleBytes !== undefined) bundles += await gone('bundles', `id IN (${bundlesBeyond('?')})`, bundleBytes);
    // A delivery's attempts and alert keys first: they reference it. Each batch of ids in one transaction.
    const settled = this.db.prepare<[number], { id: number }>(`SELECT id FROM deliveries WHERE ${SETTLED_BEFORE('?')} LIMIT ${PRUNE_BATCH}`);
    const dropDeliveries = this.db.transaction((ids: string) => {
      for (const table of ['delivery_attempts', 'delivery_alerts']) this.db.prepare(`DELETE FROM ${table} WHERE delivery_id IN (SELECT value FROM json_each(?))`).run(ids);
      return this.db.prepare('DELETE FROM deliveries WHERE id IN (SELECT value FROM json_each(?))').run(ids).changes;
    });
    let deliveries = 0;
    for (;;) {
      await new Promise((resolve) => setImmediate(resolve));
      const ids = signal?.aborted ? [] : settled.all(olderThanMs).map((r) => r.id);
      if (ids.length === 0) break;
      deliveries += dropDeliveries(JSON.stringify(ids));
      if (ids.length < PRUNE_BATCH) break;
    }
    const audit = await gone('audit', 'at < ?', olderThanMs);
    const silences = await gone('silences', 'ends_at < ?', olderThanMs);
    return { reports, bundles, commands, events: 0, deliveries, audit, silences };
  }

  async claimRun(job: FleetJob, nowMs: number, everyMs: number): Promise<boolean> {
    return this.stmts.claimRun.run({ job, now: nowMs, every: everyMs }).changes > 0;
  }

  async openFleet(instance: string): Promise<Fleet> {
    return new LocalFleet(instance);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
