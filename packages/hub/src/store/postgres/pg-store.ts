import pg from 'pg';
import type { Clock, Report, SelfTestReport } from 'posdiag-protocol';
import { faultKey, pairKey, planBatch, type BatchLookups } from '../batch-plan.js';
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
import type { Fleet, FleetJob } from '../../fleet/fleet.js';
import { toVerification } from '../verification.js';
import { PgFleet } from './pg-fleet.js';
import { withClient } from './checkout.js';
import { LOCK_CLASS, LOCKS } from './locks.js';
import { dayPartition, partitionEnd } from './partitions.js';
import { PG_MIGRATIONS } from './schema.js';
import { PgOperators } from './operators.js';
import { PgAlarms } from './alarms.js';
import { PgDeliveries } from './deliveries.js';
import { PgSilences } from './silences.js';
import { PgInventory } from './inventory.js';
import { PgWorkOrders } from './workorders.js';

const SCHEMA_VERSION = PG_MIGRATIONS.length;

/** Rows one prune statement deletes: each holds its row locks only briefly, never a table's. */
const PRUNE_BATCH = 10_000;

/** Connections per hub process: a batch holds one for its transaction, the API and the jobs the others. */
const POOL_SIZE = 4;

type Queryable = pg.Pool | pg.PoolClient;

const iso = (value: Date | string) => (value instanceof Date ? value.toISOString() : new Date(value).toISOString());

/**
 * PostgreSQL backend (`--db postgres://…`): any number of hub processes on one database. A batch is one
 * transaction that first takes a transaction-scoped advisory lock per terminal it holds reports of
 * (sorted, so two hubs never deadlock): while a terminal moves from one hub to another both may hold
 * its reports for a moment, and the lock keeps `planBatch`'s reads true until the commit.
 */
export class PgStore implements HubStore {
  readonly backend = 'postgres';
  readonly operators: PgOperators;
  readonly alarms: PgAlarms;
  readonly deliveries: PgDeliveries;
  readonly silences: PgSilences;
  readonly inventory: PgInventory;
  readonly workorders: PgWorkOrders;
  private readonly knownPartitions = new Set<string>();

  private constructor(
    private readonly pool: pg.Pool,
    private readonly url: string,
  ) {
    this.operators = new PgOperators(pool);
    this.alarms = new PgAlarms(pool);
    this.deliveries = new PgDeliveries(pool);
    this.silences = new PgSilences(pool);
    this.inventory = new PgInventory(pool);
    this.workorders = new PgWorkOrders(pool);
  }

  static async open(url: string): Promise<PgStore> {
    const pool = new pg.Pool({ connectionString: url, max: POOL_SIZE });
    // An idle connection the server dropped (restart, failover) must not crash the hub: the pool replaces it.
    pool.on('error', () => {});
    const store = new PgStore(pool, url);
    try {
      await store.migrate();
    } catch (err) {
      await pool.end();
      throw err;
    }
    return store;
  }

  private async migrate(): Promise<void> {
    await this.withClient(async (client) => {
      await client.query('SELECT pg_advisory_lock($1, $2)', [LOCK_CLASS, LOCKS.migrate]);
      try {
        await client.query('CREATE TABLE IF NOT EXISTS hub_schema (version integer NOT NULL)');
        const found = await client.query<{ version: number }>('SELECT version FROM hub_schema');
        const version = found.rows[0]?.version ?? 0;
        if (version > SCHEMA_VERSION) throw new SchemaTooNewError(version, SCHEMA_VERSION);
        for (const [i, sql] of PG_MIGRATIONS.slice(version).entries()) {
          await this.transaction(client, async () => {
            await client.query(sql);
            await client.query('DELETE FROM hub_schema');
            await client.query('INSERT INTO hub_schema (version) VALUES ($1)', [version + i + 1]);
          });
        }
      } finally {
        await client.query('SELECT pg_advisory_unlock($1, $2)', [LOCK_CLASS, LOCKS.migrate]);
      }
    });
  }

  private withClient<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return withClient(this.pool, fn);
  }

  private async transaction<T>(client: pg.PoolClient, fn: () => Promise<T>): Promise<T> {
    await client.query('BEGIN');
    try {
      const result = await fn();
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    }
  }

  /** The day partitions the batch lands in exist before it is inserted (created once, under a lock). */
  private async ensurePartitions(items: readonly ReportToStore[]): Promise<void> {
    // And the next day's, made while nothing needs it yet: at midnight no insert waits for its CREATE,
    // which could queue behind a retention DETACH still running.
    const days = items.flatMap(({ receivedAt }) => [Date.parse(receivedAt), Date.parse(receivedAt) + 86_400_000]);
    const needed = new Map(days.map((ms) => dayPartition(ms)).map((p) => [p.name, p]));
    for (const part of needed.values()) {
      if (this.knownPartitions.has(part.name)) continue;
      await this.withClient((client) =>
        this.transaction(client, async () => {
          // Two hubs creating the same partition at once would collide in the catalog despite IF NOT EXISTS.
          await client.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_CLASS, LOCKS.partitions]);
          await client.query(`CREATE TABLE IF NOT EXISTS ${part.name} PARTITION OF reports FOR VALUES FROM ('${part.from}') TO ('${part.to}')`);
        }),
      );
      this.knownPartitions.add(part.name);
    }
  }

  async insertBatch(items: readonly ReportToStore[]): Promise<InsertOutcome[]> {
    if (items.length === 0) return [];
    await this.ensurePartitions(items);
    return this.withClient((client) =>
      this.transaction(client, async () => {
        const terminals = [...new Set(items.map((i) => i.report.terminal))].sort();
        await client.query('SELECT pg_advisory_xact_lock(k) FROM (SELECT hashtextextended(t, 0) AS k FROM unnest($1::text[]) t ORDER BY 1) s', [terminals]);
        const plan = planBatch(items, await this.lookups(client, items, terminals));
        const rows = plan.inserts;
        if (rows.length > 0) {
          const col = <T>(f: (r: ReportToStore) => T) => rows.map(f);
          const ids = col((r) => r.report.id);
          const terms = col((r) => r.report.terminal);
          const seqs = col((r) => r.report.seq);
          const times = col((r) => r.receivedAt);
          await client.query('INSERT INTO report_ids (id, terminal, seq, received_at) SELECT * FROM unnest($1::text[], $2::text[], $3::int8[], $4::timestamptz[])', [ids, terms, seqs, times]);
          await client.query(
            'INSERT INTO reports (id, terminal, seq, kind, received_at, body) SELECT * FROM unnest($1::text[], $2::text[], $3::int8[], $4::text[], $5::timestamptz[], $6::jsonb[])',
            [ids, terms, seqs, col((r) => r.report.kind), times, col((r) => JSON.stringify(r.report))],
          );
          await client.query(
            `INSERT INTO terminal_seqs (terminal, last_seq, last_received)
             SELECT t, max(s), max(r) FROM unnest($1::text[], $2::int8[], $3::timestamptz[]) AS u(t, s, r) GROUP BY t
             ON CONFLICT (terminal) DO UPDATE SET last_seq = GREATEST(terminal_seqs.last_seq, excluded.last_seq),
               last_received = GREATEST(terminal_seqs.last_received, excluded.last_received)`,
            [terms, seqs, times],
          );
        }
        if (plan.faults.length > 0) {
          const f = plan.faults;
          await client.query(
            `INSERT INTO faults (terminal, code, instance_key, instance, state, seq, severity, category, since, inhibited_by, report_id)
             SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int8[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])
             ON CONFLICT (terminal, code, instance_key) DO UPDATE SET
               instance = excluded.instance, state = excluded.state, seq = excluded.seq, severity = excluded.severity,
               category = excluded.category, since = excluded.since, inhibited_by = excluded.inhibited_by, report_id = excluded.report_id
             WHERE excluded.seq > faults.seq`,
            [
              f.map((r) => r.terminal), f.map((r) => r.code), f.map((r) => r.instanceKey), f.map((r) => r.instance), f.map((r) => r.state),
              f.map((r) => r.seq), f.map((r) => r.severity), f.map((r) => r.category), f.map((r) => r.since), f.map((r) => r.inhibitedBy),
              f.map((r) => r.reportId),
            ],
          );
        }
        return plan.outcomes;
      }),
    );
  }

  /** Four reads whatever the batch's size; the (terminal, seq) probe only for seqs at or below one stored. */
  private async lookups(client: pg.PoolClient, items: readonly ReportToStore[], terminals: string[]): Promise<BatchLookups> {
    const lookups: BatchLookups = { byId: new Map(), lastSeq: new Map(), heldSeqs: new Set(), faultSeq: new Map() };
    const byId = await client.query<{ id: string; terminal: string; seq: string }>('SELECT id, terminal, seq FROM report_ids WHERE id = ANY($1::text[])', [
      items.map((i) => i.report.id),
    ]);
    for (const r of byId.rows) lookups.byId.set(r.id, { terminal: r.terminal, seq: Number(r.seq) });
    const last = await client.query<{ terminal: string; last_seq: string }>('SELECT terminal, last_seq FROM terminal_seqs WHERE terminal = ANY($1::text[])', [terminals]);
    for (const r of last.rows) lookups.lastSeq.set(r.terminal, Number(r.last_seq));
    const maybeHeld = items.filter(({ report }) => report.seq <= (lookups.lastSeq.get(report.terminal) ?? 0));
    if (maybeHeld.length > 0) {
      const held = await client.query<{ terminal: string; seq: string }>(
        'SELECT DISTINCT terminal, seq FROM reports WHERE (terminal, seq) IN (SELECT * FROM unnest($1::text[], $2::int8[]))',
        [maybeHeld.map((i) => i.report.terminal), maybeHeld.map((i) => i.report.seq)],
      );
      for (const r of held.rows) lookups.heldSeqs.add(pairKey(r.terminal, Number(r.seq)));
    }
    const faults = items.flatMap(({ report }) => (report.kind === 'fault' ? [report] : []));
    if (faults.length > 0) {
      const rows = await client.query<{ terminal: string; code: string; instance: string | null; seq: string }>(
        'SELECT terminal, code, instance, seq FROM faults WHERE (terminal, code, instance_key) IN (SELECT * FROM unnest($1::text[], $2::text[], $3::text[]))',
        [faults.map((f) => f.terminal), faults.map((f) => f.code), faults.map((f) => JSON.stringify(f.instance))],
      );
      for (const r of rows.rows) lookups.faultSeq.set(faultKey(r.terminal, r.code, r.instance), Number(r.seq));
    }
    return lookups;
  }

  async lastSeq(terminal: string): Promise<number> {
    const { rows } = await this.pool.query<{ last_seq: string }>('SELECT last_seq FROM terminal_seqs WHERE terminal = $1', [terminal]);
    return rows[0] ? Number(rows[0].last_seq) : 0;
  }

  async lastReceived(): Promise<Map<string, number>> {
    const { rows } = await this.pool.query<{ terminal: string; last_received: Date }>('SELECT terminal, last_received FROM terminal_seqs');
    return new Map(rows.map((r) => [r.terminal, r.last_received.getTime()]));
  }

  async readable(): Promise<boolean> {
    try {
      await this.pool.query('SELECT 1 FROM hub_schema LIMIT 1');
      return true;
    } catch {
      return false;
    }
  }

  async reports(filter: ReportFilter = {}, page: { after?: ReportCursor; limit?: number } = {}): Promise<ReportPage> {
    const where: string[] = [];
    const params: (string | number | readonly string[])[] = [];
    const param = (value: string | number | readonly string[]) => `$${params.push(value)}`;
    if (filter.terminal !== undefined) where.push(`terminal = ${param(filter.terminal)}`);
    if (filter.terminals !== undefined) where.push(`terminal = ANY(${param(filter.terminals)})`);
    if (filter.kind !== undefined) where.push(`kind = ${param(filter.kind)}`);
    if (filter.ref !== undefined) where.push(`kind = 'self_test' AND body->'result'->>'ref' = ${param(filter.ref.toUpperCase())}`);
    if (page.after) where.push(`(terminal, seq, arrival) > (${param(page.after.terminal)}, ${param(page.after.seq)}, ${param(page.after.arrival)})`);
    // One row past the page tells whether there is a next one.
    const limit = page.limit === undefined ? '' : ` LIMIT ${param(page.limit + 1)}`;
    const sql = `SELECT arrival, terminal, seq, body, received_at FROM reports ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY terminal, seq, arrival${limit}`;
    const { rows } = await this.pool.query<{ arrival: string; terminal: string; seq: string; body: Report; received_at: Date }>(sql, params);
    const more = page.limit !== undefined && rows.length > page.limit;
    const kept = more ? rows.slice(0, page.limit) : rows;
    const last = kept.at(-1);
    return {
      reports: kept.map((r) => ({ ...r.body, receivedAt: iso(r.received_at) })),
      next: more && last ? { terminal: last.terminal, seq: Number(last.seq), arrival: Number(last.arrival) } : null,
    };
  }

  async recentReports(terminal: string, page: { kind?: Report['kind']; before?: ReportCursor; limit: number }): Promise<ReportPage> {
    const params: (string | number)[] = [];
    const param = (value: string | number) => `$${params.push(value)}`;
    const where = [`terminal = ${param(terminal)}`];
    if (page.kind !== undefined) where.push(`kind = ${param(page.kind)}`);
    if (page.before) where.push(`(seq, arrival) < (${param(page.before.seq)}, ${param(page.before.arrival)})`);
    const sql = `SELECT arrival, terminal, seq, body, received_at FROM reports WHERE ${where.join(' AND ')} ORDER BY seq DESC, arrival DESC LIMIT ${param(page.limit + 1)}`;
    const { rows } = await this.pool.query<{ arrival: string; terminal: string; seq: string; body: Report; received_at: Date }>(sql, params);
    const kept = rows.slice(0, page.limit);
    const last = kept.at(-1);
    return {
      reports: kept.map((r) => ({ ...r.body, receivedAt: iso(r.received_at) })),
      next: rows.length > page.limit && last ? { terminal: last.terminal, seq: Number(last.seq), arrival: Number(last.arrival) } : null,
    };
  }

  async openFaults(): Promise<Record<string, OpenFault[]>> {
    const { rows } = await this.pool.query<{
      terminal: string; code: string; instance: string | null; severity: OpenFault['severity']; category: OpenFault['category'];
      since: string; inhibited_by: string | null; report_id: string; seq: string;
    }>(`SELECT terminal, code, instance, severity, category, since, inhibited_by, report_id, seq FROM faults WHERE state = 'raised' ORDER BY terminal, code, instance_key`);
    const byTerminal: Record<string, OpenFault[]> = {};
    for (const r of rows) {
      const fault: OpenFault = { code: r.code, instance: r.instance, severity: r.severity, category: r.category, since: r.since, inhibitedBy: r.inhibited_by, reportId: r.report_id, seq: Number(r.seq) };
      const verification = await this.verificationOf(this.pool, r.terminal, fault);
      (byTerminal[r.terminal] ??= []).push(verification ? { ...fault, verification } : fault);
    }
    return byTerminal;
  }

  /** The newest self-test after the raise whose verification names this fault (null-safe on instance). */
  private async verificationOf(db: Queryable, terminal: string, fault: OpenFault) {
    const { rows } = await db.query<{ id: string; body: SelfTestReport; still_present: boolean | null }>(
      `SELECT r.id, r.body, (v->>'stillPresent')::boolean AS still_present
       FROM reports r, jsonb_array_elements(r.body->'result'->'verification') v
       WHERE r.terminal = $1 AND r.kind = 'self_test' AND r.seq > $2
         AND v->>'code' = $3 AND v->>'instance' IS NOT DISTINCT FROM $4
       ORDER BY r.seq DESC LIMIT 1`,
      [terminal, fault.seq, fault.code, fault.instance],
    );
    const row = rows[0];
    return row ? toVerification(row.id, row.body, row.still_present === true) : undefined;
  }

  async putBundle(info: BundleInfo, data: Buffer): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      'INSERT INTO bundles (id, terminal, received_at, size, sha256, data) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING',
      [info.id, info.terminal, info.receivedAt, info.size, info.sha256, data],
    );
    return (rowCount ?? 0) > 0;
  }

  async listBundles(terminal?: string): Promise<BundleInfo[]> {
    const { rows } = await this.pool.query<{ id: string; terminal: string; received_at: Date; size: number; sha256: string }>(
      'SELECT id, terminal, received_at, size, sha256 FROM bundles WHERE ($1::text IS NULL OR terminal = $1) ORDER BY received_at, id',
      [terminal ?? null],
    );
    return rows.map((r) => ({ id: r.id, terminal: r.terminal, receivedAt: iso(r.received_at), size: r.size, sha256: r.sha256 }));
  }

  async getBundle(id: string): Promise<(BundleInfo & { data: Buffer }) | undefined> {
    const { rows } = await this.pool.query<{ id: string; terminal: string; received_at: Date; size: number; sha256: string; data: Buffer }>(
      'SELECT id, terminal, received_at, size, sha256, data FROM bundles WHERE id = $1',
      [id],
    );
    const r = rows[0];
    return r ? { id: r.id, terminal: r.terminal, receivedAt: iso(r.received_at), size: r.size, sha256: r.sha256, data: r.data } : undefined;
  }

  async holdTerminal(terminal: string, holder: string, nowMs: number, leaseMs: number): Promise<HoldOutcome> {
    // RETURNING's subqueries read the statement's snapshot: the row as it was before this upsert.
    const { rows } = await this.pool.query<{ previous_holder: string | null; was_silent: boolean | null }>(
      `WITH lease AS (
         INSERT INTO hubs (instance, lease_expires) VALUES ($2, $4) ON CONFLICT (instance) DO UPDATE SET lease_expires = excluded.lease_expires
       )
       INSERT INTO presence AS p (terminal, holder, last_heard, silent) VALUES ($1, $2, $3, false)
       ON CONFLICT (terminal) DO UPDATE SET holder = excluded.holder, last_heard = GREATEST(p.last_heard, excluded.last_heard), silent = false
       RETURNING (SELECT holder FROM presence WHERE terminal = $1) AS previous_holder,
                 (SELECT silent FROM presence WHERE terminal = $1) AS was_silent`,
      [terminal, holder, nowMs, nowMs + leaseMs],
    );
    return { previousHolder: rows[0]?.previous_holder ?? null, wasSilent: rows[0]?.was_silent === true };
  }

  async releaseTerminal(terminal: string, holder: string, lastHeardMs: number): Promise<void> {
    await this.pool.query('UPDATE presence SET holder = NULL, last_heard = GREATEST(last_heard, $3) WHERE terminal = $1 AND holder = $2', [terminal, holder, lastHeardMs]);
  }

  async releaseAllHeldBy(holder: string): Promise<void> {
    await this.pool.query('UPDATE presence SET holder = NULL WHERE holder = $1', [holder]);
  }

  async renewLeases(holder: string, heard: ReadonlyMap<string, number>, nowMs: number, leaseMs: number): Promise<void> {
    await this.pool.query('INSERT INTO hubs (instance, lease_expires) VALUES ($1, $2) ON CONFLICT (instance) DO UPDATE SET lease_expires = excluded.lease_expires', [holder, nowMs + leaseMs]);
    if (heard.size > 0) {
      await this.pool.query(
        `INSERT INTO presence (terminal, last_heard) SELECT * FROM unnest($1::text[], $2::int8[])
         ON CONFLICT (terminal) DO UPDATE SET last_heard = GREATEST(presence.last_heard, excluded.last_heard)`,
        [[...heard.keys()], [...heard.values()]],
      );
    }
  }

  async presenceCounts(nowMs: number): Promise<{ connected: number; silent: number }> {
    const { rows } = await this.pool.query<{ connected: string; silent: string }>(
      `SELECT count(*) FILTER (WHERE h.lease_expires > $1) AS connected,
         count(*) FILTER (WHERE p.silent AND NOT coalesce(h.lease_expires > $1, false)) AS silent
       FROM presence p LEFT JOIN hubs h ON h.instance = p.holder`,
      [nowMs],
    );
    return { connected: Number(rows[0]!.connected), silent: Number(rows[0]!.silent) };
  }

  async presence(terminal?: string): Promise<PresenceRow[]> {
    const { rows } = await this.pool.query<{ terminal: string; holder: string | null; lease_expires: string | null; last_heard: string; silent: boolean }>(
      // One terminal by its primary key: a `$1 IS NULL OR` form would read them all.
      `SELECT p.terminal, p.holder, h.lease_expires, p.last_heard, p.silent FROM presence p LEFT JOIN hubs h ON h.instance = p.holder
       ${terminal === undefined ? '' : 'WHERE p.terminal = $1'} ORDER BY p.terminal`,
      terminal === undefined ? [] : [terminal],
    );
    return rows.map((r) => ({
      terminal: r.terminal,
      holder: r.holder,
      leaseExpires: r.lease_expires === null ? null : Number(r.lease_expires),
      lastHeard: Number(r.last_heard),
      silent: r.silent,
    }));
  }

  async markSilent(heardBeforeMs: number, nowMs: number, exclude: readonly string[]): Promise<{ terminal: string; lastHeard: number }[]> {
    const { rows } = await this.pool.query<{ terminal: string; last_heard: string }>(
      `UPDATE presence p SET silent = true
       WHERE NOT p.silent AND p.last_heard <= $1 AND NOT (p.terminal = ANY($3::text[]))
         AND NOT EXISTS (SELECT 1 FROM hubs h WHERE h.instance = p.holder AND h.lease_expires > $2)
       RETURNING p.terminal, p.last_heard`,
      [heardBeforeMs, nowMs, exclude],
    );
    return rows.map((r) => ({ terminal: r.terminal, lastHeard: Number(r.last_heard) })).sort((a, b) => a.terminal.localeCompare(b.terminal));
  }

  async forgetTerminal(terminal: string): Promise<void> {
    await this.pool.query('DELETE FROM presence WHERE terminal = $1', [terminal]);
  }

  async recordCommand(c: CommandRecord): Promise<void> {
    await this.pool.query(
      `INSERT INTO commands (id, terminal, name, args, state, posted_by, posted_at, sent_by, sent_at, finished_at, detail)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [c.id, c.terminal, c.name, JSON.stringify(c.args), c.state, c.postedBy, c.postedAt, c.sentBy, c.sentAt, c.finishedAt, c.detail],
    );
  }

  async updateCommand(id: string, change: CommandChange): Promise<void> {
    const set = changedColumns(change);
    if (set.length === 0) return;
    await this.pool.query(`UPDATE commands SET ${set.map(([column], i) => `${column} = $${i + 2}`).join(', ')} WHERE id = $1`, [id, ...set.map(([, value]) => value)]);
  }

  async queuedCommands(terminal: string): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string }>("SELECT id FROM commands WHERE terminal = $1 AND state = 'queued' ORDER BY posted_at, id", [terminal]);
    return rows.map((r) => r.id);
  }

  async command(id: string): Promise<CommandRecord | undefined> {
    const { rows } = await this.pool.query<{
      id: string; terminal: string; name: string; args: unknown; state: CommandRecord['state']; posted_by: string; posted_at: string;
      sent_by: string | null; sent_at: string | null; finished_at: string | null; detail: string | null;
    }>('SELECT * FROM commands WHERE id = $1', [id]);
    const r = rows[0];
    const ms = (v: string | null) => (v === null ? null : Number(v));
    return r
      ? { id: r.id, terminal: r.terminal, name: r.name, args: r.args, state: r.state, postedBy: r.posted_by, postedAt: Number(r.posted_at), sentBy: r.sent_by, sentAt: ms(r.sent_at), finishedAt: ms(r.finished_at), detail: r.detail }
      : undefined;
  }

  async prune(olderThanMs: number, bundleBytes?: number, signal?: AbortSignal): Promise<PruneResult> {
    const before = new Date(olderThanMs).toISOString();
    const gone = async (table: string, key: string, where: string, param: string | number) => {
      let total = 0;
      while (!signal?.aborted) {
        const { rowCount } = await this.pool.query(`DELETE FROM ${table} WHERE ${key} IN (SELECT ${key} FROM ${table} WHERE ${where} LIMIT ${PRUNE_BATCH})`, [param]);
        total += rowCount ?? 0;
        if ((rowCount ?? 0) < PRUNE_BATCH) break;
      }
      return total;
    };
    const dayCutoff = await this.dropPartitions(olderThanMs, signal);
    // The ids of exactly the reports whose partitions went, so a report still kept is still deduplicated.
    const reports = await gone('report_ids', 'id', 'received_at < $1', new Date(dayCutoff).toISOString());
    const events = await gone('stream_events', 'n', 'at < $1', olderThanMs);
    const commands = await gone('commands', 'id', 'posted_at < $1', olderThanMs);
    let bundles = await gone('bundles', 'id', 'received_at < $1', before);
    if (bundleBytes !== undefined) bundles += await gone('bundles', 'id', `id IN (${bundlesBeyond('$1')})`, bundleBytes);
    let deliveries = 0;
    while (!signal?.aborted) {
      // One statement per batch: the attempts and alert keys that reference them go with them (the
      // foreign keys are checked at the statement's end).
      const { rowCount } = await this.pool.query(
        `WITH batch AS (SELECT id FROM deliveries WHERE ${SETTLED_BEFORE('$1')} LIMIT ${PRUNE_BATCH}),
           attempts AS (DELETE FROM delivery_attempts WHERE delivery_id IN (SELECT id FROM batch)),
           keys AS (DELETE FROM delivery_alerts WHERE delivery_id IN (SELECT id FROM batch))
         DELETE FROM deliveries WHERE id IN (SELECT id FROM batch)`,
        [olderThanMs],
      );
      deliveries += rowCount ?? 0;
      if ((rowCount ?? 0) < PRUNE_BATCH) break;
    }
    const audit = await gone('audit', 'id', 'at < $1', olderThanMs);
    const silences = await gone('silences', 'id', 'ends_at < $1', olderThanMs);
    return { reports, bundles, commands, events, deliveries, audit, silences };
  }

  /**
   * Drops the day partitions of `reports` that end at or before `olderThanMs`, and says where the last
   * one dropped ends (the start of the cutoff's UTC day). DETACH ... CONCURRENTLY (PostgreSQL 14+)
   * takes no lock that waits for or blocks a batch's insert, where a plain DROP would queue an ACCESS
   * EXCLUSIVE lock on `reports` behind any reader and every insert behind it; the detached table is
   * then nobody's, and dropping it stalls nothing. A detach a crash interrupted is finished (FINALIZE),
   * and a table detached but not dropped is dropped.
   */
  private async dropPartitions(olderThanMs: number, signal?: AbortSignal): Promise<number> {
    const { rows } = await this.pool.query<{ name: string; attached: boolean; pending: boolean | null }>(
      `SELECT c.relname AS name, i.inhrelid IS NOT NULL AS attached, i.inhdetachpending AS pending
       FROM pg_class c LEFT JOIN pg_inherits i ON i.inhrelid = c.oid AND i.inhparent = 'reports'::regclass
       WHERE c.relkind = 'r' AND c.relname ~ '^reports_[0-9]{8}$'
         AND c.relnamespace = (SELECT relnamespace FROM pg_class WHERE oid = 'reports'::regclass)
       ORDER BY i.inhdetachpending DESC NULLS LAST, c.relname`,
    );
    for (const { name, attached, pending } of rows) {
      if (signal?.aborted || (partitionEnd(name) ?? Infinity) > olderThanMs) continue;
      if (attached) await this.pool.query(`ALTER TABLE reports DETACH PARTITION ${name} ${pending ? 'FINALIZE' : 'CONCURRENTLY'}`);
      this.knownPartitions.delete(name);
      await this.pool.query(`DROP TABLE ${name}`);
    }
    const day = new Date(olderThanMs);
    day.setUTCHours(0, 0, 0, 0);
    return day.getTime();
  }

  async claimRun(job: FleetJob, nowMs: number, everyMs: number): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `INSERT INTO fleet_jobs (job, last_run) VALUES ($1, $2)
       ON CONFLICT (job) DO UPDATE SET last_run = excluded.last_run WHERE fleet_jobs.last_run <= $2 - $3`,
      [job, nowMs, everyMs],
    );
    return (rowCount ?? 0) > 0;
  }

  async openFleet(instance: string, clock: Clock): Promise<Fleet> {
    return PgFleet.open(this.pool, this.url, instance, clock);
  }

  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }
}
