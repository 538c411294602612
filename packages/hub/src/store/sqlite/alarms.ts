import type Database from 'better-sqlite3';
import type { Category, Report, Severity } from 'posdiag-protocol';
import type { AlarmKey, AlarmLogEntry, AlarmQuery, AlarmRecord, AlarmWrite } from '../../alarms/alarm.js';
import { ALARM_COLUMNS, alarmInstanceKey, alarmValues, alarmWhere, sumBy, toAlarm, toLogEntry, type AlarmRow } from '../alarm-rows.js';
import type { AlarmStats, AlarmStore, OpenAlarmCount, StoredReport } from '../store.js';

const bool = (b: boolean) => (b ? 1 : 0);
const SELECT = `SELECT a.id, ${ALARM_COLUMNS.map((c) => `a.${c}`).join(', ')} FROM alarms a`;
// A label by name from the terminal's JSON object; json_each rather than a JSON path, which a key could break.
const label = (param: string) => `(SELECT value FROM json_each(l.labels) WHERE key = ${param})`;

/**
 * The alarms' tables in the SQLite hub database (SqliteStore.alarms). better-sqlite3 is synchronous, so
 * a transaction here is the whole lock: nothing else runs between the read and the write.
 */
export class SqliteAlarms implements AlarmStore {
  private readonly stmts;

  constructor(private readonly db: Database.Database) {
    this.stmts = {
      openByKey: db.prepare<[string, string, string], AlarmRow>(`${SELECT} WHERE a.terminal = ? AND a.code = ? AND a.instance_key = ? AND a.closed_at IS NULL`),
      byId: db.prepare<[number], AlarmRow>(`${SELECT} WHERE a.id = ?`),
      lastHeard: db.prepare<[string], { last_heard: number }>('SELECT last_heard FROM presence WHERE terminal = ?'),
      insert: db.prepare(`INSERT INTO alarms (${ALARM_COLUMNS.join(', ')}) VALUES (${ALARM_COLUMNS.map(() => '?').join(', ')})`),
      update: db.prepare(`UPDATE alarms SET ${ALARM_COLUMNS.map((c) => `${c} = ?`).join(', ')} WHERE id = ?`),
      appendLog: db.prepare('INSERT INTO alarm_log (alarm_id, at, actor, kind, action, detail) VALUES (?, ?, ?, ?, ?, ?)'),
      log: db.prepare<[number], AlarmLogEntry>('SELECT at, actor, kind, action, detail FROM alarm_log WHERE alarm_id = ? ORDER BY id'),
      claimReminders: db.prepare<[number, string, number], AlarmRow>(`
        UPDATE alarms SET reminded_at = ? WHERE code = ? AND status = 'active' AND closed_at IS NULL
          AND COALESCE(reminded_at, last_seen) <= ?
        RETURNING id, ${ALARM_COLUMNS.join(', ')}`),
      openCounts: db.prepare<[], { terminal: string; n: number }>("SELECT terminal, count(*) AS n FROM alarms WHERE status = 'active' AND closed_at IS NULL GROUP BY terminal"),
      openByKind: db.prepare<[], { severity: string; code: string; n: number }>(
        "SELECT severity, code, count(*) AS n FROM alarms WHERE status = 'active' AND closed_at IS NULL GROUP BY severity, code",
      ),
      openBySeverityCategory: db.prepare<[], { severity: Severity; category: Category; n: number }>(
        "SELECT severity, category, count(*) AS n FROM alarms WHERE status = 'active' AND closed_at IS NULL GROUP BY severity, category",
      ),
      perDay: db.prepare<[number], { day: number; n: number }>('SELECT since / 86400000 AS day, count(*) AS n FROM alarms WHERE since >= ? GROUP BY day ORDER BY day'),
      topCodes: db.prepare<[number, number], { code: string; n: number }>('SELECT code, count(*) AS n FROM alarms WHERE since >= ? GROUP BY code ORDER BY n DESC, code LIMIT ?'),
      topModels: db.prepare<[number, number], { model: string; n: number }>(
        `SELECT i.model, count(*) AS n FROM alarms a JOIN terminal_inventory i ON i.terminal = a.terminal
         WHERE a.since >= ? AND i.model IS NOT NULL GROUP BY i.model ORDER BY n DESC, i.model LIMIT ?`,
      ),
      setLabels: db.prepare('INSERT INTO terminal_labels (terminal, labels) VALUES (?, ?) ON CONFLICT (terminal) DO UPDATE SET labels = excluded.labels'),
      dropLabels: db.prepare('DELETE FROM terminal_labels WHERE terminal = ?'),
      labels: db.prepare<[], { terminal: string; labels: string }>('SELECT terminal, labels FROM terminal_labels'),
      labelsOf: db.prepare<[string], { labels: string }>('SELECT labels FROM terminal_labels WHERE terminal = ?'),
      report: db.prepare<[string], { body: string; received_at: string }>('SELECT body, received_at FROM reports WHERE id = ?'),
      latestSelfTest: db.prepare<[string], { body: string; received_at: string }>(
        "SELECT body, received_at FROM reports WHERE terminal = ? AND kind = 'self_test' ORDER BY seq DESC, rowid DESC LIMIT 1",
      ),
    };
  }

  private write(current: AlarmRecord | undefined, w: AlarmWrite): AlarmRecord {
    const values = alarmValues(w.alarm, bool);
    let id: number;
    if (current) {
      this.stmts.update.run(...values, current.id);
      id = current.id;
    } else id = Number(this.stmts.insert.run(...values).lastInsertRowid);
    for (const e of w.log) this.stmts.appendLog.run(id, e.at, e.actor, e.kind, e.action, e.detail);
    return { ...w.alarm, id };
  }

  async updateOpen(key: AlarmKey, decide: (current: AlarmRecord | undefined, lastHeard: number | null) => AlarmWrite | null): Promise<AlarmRecord | null> {
    return this.db.transaction(() => {
      const row = this.stmts.openByKey.get(key.terminal, key.code, alarmInstanceKey(key.instance));
      const current = row ? toAlarm(row) : undefined;
      const w = decide(current, this.stmts.lastHeard.get(key.terminal)?.last_heard ?? null);
      return w ? this.write(current, w) : null;
    })();
  }

  async updateById(id: number, decide: (current: AlarmRecord) => AlarmWrite | null): Promise<AlarmRecord | null | undefined> {
    return this.db.transaction(() => {
      const row = this.stmts.byId.get(id);
      if (!row) return undefined;
      const current = toAlarm(row);
      const w = decide(current);
      return w ? this.write(current, w) : null;
    })();
  }

  async alarm(id: number): Promise<AlarmRecord | undefined> {
    const row = this.stmts.byId.get(id);
    return row ? toAlarm(row) : undefined;
  }

  async log(id: number): Promise<AlarmLogEntry[]> {
    return this.stmts.log.all(id).map(toLogEntry);
  }

  async list(query: AlarmQuery): Promise<AlarmRecord[]> {
    const { where, params } = alarmWhere(query, () => '?', label, bool, { position: (h, n) => `instr(${h}, ${n})` });
    const sql = `${SELECT} LEFT JOIN terminal_labels l ON l.terminal = a.terminal ${where} ORDER BY a.id DESC LIMIT ?`;
    return this.db.prepare<unknown[], AlarmRow>(sql).all(...params, query.limit).map(toAlarm);
  }

  async claimReminders(code: string, dueAtOrBeforeMs: number, nowMs: number): Promise<AlarmRecord[]> {
    return this.stmts.claimReminders.all(nowMs, code, dueAtOrBeforeMs).map(toAlarm).sort((a, b) => a.id - b.id);
  }

  async openCounts(): Promise<Map<string, number>> {
    return new Map(this.stmts.openCounts.all().map((r) => [r.terminal, r.n]));
  }

  async openByKind(): Promise<OpenAlarmCount[]> {
    return this.stmts.openByKind.all().map((r) => ({ severity: r.severity as Severity, code: r.code, count: r.n }));
  }

  async stats(q: { sinceMs: number; weekMs: number; top: number }): Promise<AlarmStats> {
    const open = this.stmts.openBySeverityCategory.all();
    return this.db.transaction(() => ({
      openBySeverity: sumBy(open, (r) => r.severity),
      openByCategory: sumBy(open, (r) => r.category),
      perDay: this.stmts.perDay.all(q.sinceMs).map((r) => ({ day: r.day * 86_400_000, count: r.n })),
      topCodes: this.stmts.topCodes.all(q.weekMs, q.top).map((r) => ({ code: r.code, count: r.n })),
      topModels: this.stmts.topModels.all(q.weekMs, q.top).map((r) => ({ model: r.model, count: r.n })),
    }))();
  }

  async setLabels(terminal: string, labels: Record<string, string>): Promise<void> {
    this.writeLabels(terminal, labels);
  }

  private writeLabels(terminal: string, labels: Record<string, string>): void {
    if (Object.keys(labels).length === 0) this.stmts.dropLabels.run(terminal);
    else this.stmts.setLabels.run(terminal, JSON.stringify(labels));
  }

  async updateLabels(terminals: readonly string[], next: (terminal: string, current: Record<string, string>) => Record<string, string>): Promise<void> {
    this.db.transaction(() => {
      for (const terminal of terminals) {
        const row = this.stmts.labelsOf.get(terminal);
        this.writeLabels(terminal, next(terminal, row ? (JSON.parse(row.labels) as Record<string, string>) : {}));
      }
    })();
  }

  async labels(): Promise<Map<string, Record<string, string>>> {
    return new Map(this.stmts.labels.all().map((r) => [r.terminal, JSON.parse(r.labels) as Record<string, string>]));
  }

  async labelsOf(terminal: string): Promise<Record<string, string>> {
    const row = this.stmts.labelsOf.get(terminal);
    return row ? (JSON.parse(row.labels) as Record<string, string>) : {};
  }

  async report(id: string): Promise<StoredReport | undefined> {
    return toStored(this.stmts.report.get(id));
  }

  async latestSelfTest(terminal: string): Promise<StoredReport | undefined> {
    return toStored(this.stmts.latestSelfTest.get(terminal));
  }
}

const toStored = (row: { body: string; received_at: string } | undefined): StoredReport | undefined =>
  row ? { ...(JSON.parse(row.body) as Report), receivedAt: row.received_at } : undefined;

