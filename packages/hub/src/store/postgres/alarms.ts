import type pg from 'pg';
import type { Category, Report, Severity } from 'posdiag-protocol';
import type { AlarmKey, AlarmLogEntry, AlarmQuery, AlarmRecord, AlarmWrite } from '../../alarms/alarm.js';
import { ALARM_COLUMNS, alarmInstanceKey, alarmValues, alarmWhere, sumBy, toAlarm, toLogEntry, type AlarmRow } from '../alarm-rows.js';
import type { AlarmStats, AlarmStore, OpenAlarmCount, StoredReport } from '../store.js';
import { inTransaction } from './checkout.js';

const bool = (b: boolean) => b;
const COLUMNS = `a.id, ${ALARM_COLUMNS.map((c) => `a.${c}`).join(', ')}`;
const SELECT = `SELECT ${COLUMNS} FROM alarms a`;
const label = (param: string) => `l.labels ->> ${param}`;
const INSERT = `INSERT INTO alarms (${ALARM_COLUMNS.join(', ')}) VALUES (${ALARM_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING id`;
const UPDATE = `UPDATE alarms SET ${ALARM_COLUMNS.map((c, i) => `${c} = $${i + 1}`).join(', ')} WHERE id = $${ALARM_COLUMNS.length + 1}`;

type Decide = (current: AlarmRecord | undefined, lastHeard: number | null) => AlarmWrite | null;

/**
 * The alarms' tables in the PostgreSQL hub database (PgStore.alarms). A change holds, for its
 * transaction, a lock on the alarm's key (an advisory lock: the alarm may not exist yet) or its row, so
 * two hubs deciding on one alarm at once take turns, the second deciding on what the first wrote.
 */
export class PgAlarms implements AlarmStore {
  constructor(private readonly pool: pg.Pool) {}

  private change(lock: (client: pg.PoolClient) => Promise<{ current: AlarmRecord | undefined; lastHeard: number | null } | undefined>, decide: Decide) {
    return inTransaction(this.pool, async (client): Promise<AlarmRecord | null | undefined> => {
      const found = await lock(client);
      if (!found) return undefined;
      const w = decide(found.current, found.lastHeard);
      return w ? write(client, found.current, w) : null;
    });
  }

  async updateOpen(key: AlarmKey, decide: Decide): Promise<AlarmRecord | null> {
    const instanceKey = alarmInstanceKey(key.instance);
    const result = await this.change(async (client) => {
      // The one-key form, as the batches' per-terminal locks: a hash of the alarm's key.
      await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 1))', [JSON.stringify(['alarm', key.terminal, key.code, instanceKey])]);
      const { rows } = await client.query<AlarmRow>(`${SELECT} WHERE a.terminal = $1 AND a.code = $2 AND a.instance_key = $3 AND a.closed_at IS NULL`, [key.terminal, key.code, instanceKey]);
      const heard = await client.query<{ last_heard: string }>('SELECT last_heard FROM presence WHERE terminal = $1', [key.terminal]);
      return { current: rows[0] ? toAlarm(rows[0]) : undefined, lastHeard: heard.rows[0] ? Number(heard.rows[0].last_heard) : null };
    }, decide);
    return result ?? null;
  }

  async updateById(id: number, decide: (current: AlarmRecord) => AlarmWrite | null): Promise<AlarmRecord | null | undefined> {
    return this.change(async (client) => {
      const { rows } = await client.query<AlarmRow>(`${SELECT} WHERE a.id = $1 FOR UPDATE`, [id]);
      return rows[0] ? { current: toAlarm(rows[0]), lastHeard: null } : undefined;
    }, (current) => decide(current!));
  }

  async alarm(id: number): Promise<AlarmRecord | undefined> {
    const { rows } = await this.pool.query<AlarmRow>(`${SELECT} WHERE a.id = $1`, [id]);
    return rows[0] ? toAlarm(rows[0]) : undefined;
  }

  async log(id: number): Promise<AlarmLogEntry[]> {
    const { rows } = await this.pool.query<AlarmLogEntry>('SELECT at, actor, kind, action, detail FROM alarm_log WHERE alarm_id = $1 ORDER BY id', [id]);
    return rows.map(toLogEntry);
  }

  async list(query: AlarmQuery): Promise<AlarmRecord[]> {
    const { where, params } = alarmWhere(query, (n) => `$${n}`, label, bool, { position: (h, n) => `strpos(${h}, ${n})` });
    const sql = `${SELECT} LEFT JOIN terminal_labels l ON l.terminal = a.terminal ${where} ORDER BY a.id DESC LIMIT $${params.length + 1}`;
    const { rows } = await this.pool.query<AlarmRow>(sql, [...params, query.limit]);
    return rows.map(toAlarm);
  }

  async claimReminders(code: string, dueAtOrBeforeMs: number, nowMs: number): Promise<AlarmRecord[]> {
    const { rows } = await this.pool.query<AlarmRow>(
      `UPDATE alarms a SET reminded_at = $1 WHERE a.code = $2 AND a.status = 'active' AND a.closed_at IS NULL
         AND COALESCE(a.reminded_at, a.last_seen) <= $3 RETURNING ${COLUMNS}`,
      [nowMs, code, dueAtOrBeforeMs],
    );
    return rows.map(toAlarm).sort((a, b) => a.id - b.id);
  }

  async openCounts(): Promise<Map<string, number>> {
    const { rows } = await this.pool.query<{ terminal: string; n: string }>(
      "SELECT terminal, count(*) AS n FROM alarms WHERE status = 'active' AND closed_at IS NULL GROUP BY terminal",
    );
    return new Map(rows.map((r) => [r.terminal, Number(r.n)]));
  }

  async stats(q: { sinceMs: number; weekMs: number; top: number }): Promise<AlarmStats> {
    // Each its own statement, on whichever pool clients are free: a figure may be a moment apart from the next.
    const [open, perDay, topCodes, topModels] = await Promise.all([
      this.pool.query<{ severity: Severity; category: Category; n: string }>(
        "SELECT severity, category, count(*) AS n FROM alarms WHERE status = 'active' AND closed_at IS NULL GROUP BY severity, category",
      ),
      this.pool.query<{ day: string; n: string }>('SELECT since / 86400000 AS day, count(*) AS n FROM alarms WHERE since >= $1 GROUP BY day ORDER BY day', [q.sinceMs]),
      this.pool.query<{ code: string; n: string }>('SELECT code, count(*) AS n FROM alarms WHERE since >= $1 GROUP BY code ORDER BY n DESC, code COLLATE "C" LIMIT $2', [q.weekMs, q.top]),
      this.pool.query<{ model: string; n: string }>(
        `SELECT i.model, count(*) AS n FROM alarms a JOIN terminal_inventory i ON i.terminal = a.terminal
         WHERE a.since >= $1 AND i.model IS NOT NULL GROUP BY i.model ORDER BY n DESC, i.model COLLATE "C" LIMIT $2`,
        [q.weekMs, q.top],
      ),
    ]);
    return {
      openBySeverity: sumBy(open.rows, (r) => r.severity),
      openByCategory: sumBy(open.rows, (r) => r.category),
      perDay: perDay.rows.map((r) => ({ day: Number(r.day) * 86_400_000, count: Number(r.n) })),
      topCodes: topCodes.rows.map((r) => ({ code: r.code, count: Number(r.n) })),
      topModels: topModels.rows.map((r) => ({ model: r.model, count: Number(r.n) })),
    };
  }

  async openByKind(): Promise<OpenAlarmCount[]> {
    const { rows } = await this.pool.query<{ severity: Severity; code: string; n: string }>(
      "SELECT severity, code, count(*) AS n FROM alarms WHERE status = 'active' AND closed_at IS NULL GROUP BY severity, code",
    );
    return rows.map((r) => ({ severity: r.severity, code: r.code, count: Number(r.n) }));
  }

  async setLabels(terminal: string, labels: Record<string, string>): Promise<void> {
    if (Object.keys(labels).length === 0) await this.pool.query('DELETE FROM terminal_labels WHERE terminal = $1', [terminal]);
    else {
      await this.pool.query('INSERT INTO terminal_labels (terminal, labels) VALUES ($1, $2) ON CONFLICT (terminal) DO UPDATE SET labels = excluded.labels', [
        terminal,
        JSON.stringify(labels),
      ]);
    }
  }

  async labelsOf(terminal: string): Promise<Record<string, string>> {
    const { rows } = await this.pool.query<{ labels: Record<string, string> }>('SELECT labels FROM terminal_labels WHERE terminal = $1', [terminal]);
    return rows[0]?.labels ?? {};
  }

  async updateLabels(terminals: readonly string[], next: (terminal: string, current: Record<string, string>) => Record<string, string>): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      // Imports and single-terminal changes take turns: each decides on what the one before it wrote.
      await client.query('LOCK TABLE terminal_labels IN SHARE ROW EXCLUSIVE MODE');
      const { rows } = await client.query<{ terminal: string; labels: Record<string, string> }>('SELECT terminal, labels FROM terminal_labels WHERE terminal = ANY($1)', [terminals]);
      const current = new Map(rows.map((r) => [r.terminal, r.labels]));
      const set: [string[], string[]] = [[], []];
      const drop: string[] = [];
      for (const terminal of terminals) {
        const labels = next(terminal, current.get(terminal) ?? {});
        if (Object.keys(labels).length === 0) drop.push(terminal);
        else {
          set[0].push(terminal);
          set[1].push(JSON.stringify(labels));
        }
      }
      await client.query('DELETE FROM terminal_labels WHERE terminal = ANY($1)', [drop]);
      await client.query(
        'INSERT INTO terminal_labels (terminal, labels) SELECT * FROM unnest($1::text[], $2::jsonb[]) ON CONFLICT (terminal) DO UPDATE SET labels = excluded.labels',
        set,
      );
    });
  }

  async labels(): Promise<Map<string, Record<string, string>>> {
    const { rows } = await this.pool.query<{ terminal: string; labels: Record<string, string> }>('SELECT terminal, labels FROM terminal_labels');
    return new Map(rows.map((r) => [r.terminal, r.labels]));
  }

  async report(id: string): Promise<StoredReport | undefined> {
    // Through report_ids: `reports` is partitioned, and its (terminal, seq) index with the day finds the row.
    const { rows } = await this.pool.query<{ body: Report; received_at: Date }>(
      `SELECT r.body, r.received_at FROM report_ids i JOIN reports r ON r.terminal = i.terminal AND r.seq = i.seq AND r.received_at = i.received_at AND r.id = i.id
       WHERE i.id = $1`,
      [id],
    );
    return toStored(rows[0]);
  }

  async latestSelfTest(terminal: string): Promise<StoredReport | undefined> {
    const { rows } = await this.pool.query<{ body: Report; received_at: Date }>(
      "SELECT body, received_at FROM reports WHERE terminal = $1 AND kind = 'self_test' ORDER BY seq DESC, arrival DESC LIMIT 1",
      [terminal],
    );
    return toStored(rows[0]);
  }
}

async function write(client: pg.PoolClient, current: AlarmRecord | undefined, w: AlarmWrite): Promise<AlarmRecord> {
  const values = alarmValues(w.alarm, bool);
  let id: number;
  if (current) {
    await client.query(UPDATE, [...values, current.id]);
    id = current.id;
  } else id = Number((await client.query<{ id: string }>(INSERT, values)).rows[0]!.id);
  for (const e of w.log) {
    await client.query('INSERT INTO alarm_log (alarm_id, at, actor, kind, action, detail) VALUES ($1, $2, $3, $4, $5, $6)', [id, e.at, e.actor, e.kind, e.action, e.detail]);
  }
  return { ...w.alarm, id };
}

const toStored = (row: { body: Report; received_at: Date } | undefined): StoredReport | undefined =>
  row ? { ...row.body, receivedAt: row.received_at.toISOString() } : undefined;
