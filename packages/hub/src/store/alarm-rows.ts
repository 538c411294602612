import type { AlarmLogEntry, AlarmQuery, AlarmRecord } from '../alarms/alarm.js';
import { TAGS_LABEL } from '../labels/label-holds.js';

/** The alarms table's columns, as both backends name them, in the order `alarmValues` gives them. */
export const ALARM_COLUMNS = [
  'terminal',
  'code',
  'instance_key',
  'instance',
  'severity',
  'severity_set_by',
  'category',
  'status',
  'acknowledged',
  'assignee',
  'since',
  'last_seen',
  'cleared_at',
  'closed_at',
  'count',
  'last_seq',
  'report_id',
  'reminded_at',
  'created_at',
] as const;

/** JSON of the instance, so null and "" stay distinct under the unique index (as in `faults`). */
export const alarmInstanceKey = (instance: string | null) => JSON.stringify(instance);

export function alarmValues(a: Omit<AlarmRecord, 'id'>, bool: (b: boolean) => boolean | number): unknown[] {
  return [
    a.terminal,
    a.code,
    alarmInstanceKey(a.instance),
    a.instance,
    a.severity,
    a.severitySetBy,
    a.category,
    a.status,
    bool(a.acknowledged),
    a.assignee,
    a.since,
    a.lastSeen,
    a.clearedAt,
    a.closedAt,
    a.count,
    a.lastSeq,
    a.reportId,
    a.remindedAt,
    a.createdAt,
  ];
}

/** A row of either backend (PostgreSQL's bigints come back as strings, SQLite's booleans as 0/1). */
export type AlarmRow = Record<(typeof ALARM_COLUMNS)[number] | 'id', unknown>;

const num = (v: unknown) => (v === null ? null : Number(v));

export function toAlarm(r: AlarmRow): AlarmRecord {
  return {
    id: Number(r.id),
    terminal: r.terminal as string,
    code: r.code as string,
    instance: r.instance as string | null,
    severity: r.severity as AlarmRecord['severity'],
    severitySetBy: r.severity_set_by as string | null,
    category: r.category as AlarmRecord['category'],
    status: r.status as AlarmRecord['status'],
    acknowledged: Boolean(r.acknowledged),
    assignee: r.assignee as string | null,
    since: Number(r.since),
    lastSeen: Number(r.last_seen),
    clearedAt: num(r.cleared_at),
    closedAt: num(r.closed_at),
    count: Number(r.count),
    lastSeq: num(r.last_seq),
    reportId: r.report_id as string | null,
    remindedAt: num(r.reminded_at),
    createdAt: Number(r.created_at),
  };
}

export const toLogEntry = (r: { at: unknown; actor: string; kind: AlarmLogEntry['kind']; action: string; detail: string }): AlarmLogEntry => ({
  at: Number(r.at),
  actor: r.actor,
  kind: r.kind,
  action: r.action,
  detail: r.detail,
});

/**
 * The WHERE clause of an alarm list, for either backend: `placeholder(n)` is the n-th parameter's marker,
 * `label(p)` the SQL of the terminal's label named by parameter p (NULL when it has none). The limit is
 * the caller's, after these parameters.
 */
export function alarmWhere(
  query: AlarmQuery,
  placeholder: (n: number) => string,
  label: (param: string) => string,
  bool: (b: boolean) => boolean | number,
  dialect: { position(haystack: string, needle: string): string },
): { where: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return placeholder(params.length);
  };
  const eq = (column: string, value: unknown) => value !== undefined && clauses.push(`a.${column} = ${param(value)}`);
  eq('status', query.status);
  eq('acknowledged', query.acknowledged === undefined ? undefined : bool(query.acknowledged));
  eq('severity', query.severity);
  eq('category', query.category);
  eq('code', query.code);
  eq('terminal', query.terminal);
  if (query.closed !== undefined) clauses.push(query.closed ? 'a.closed_at IS NOT NULL' : 'a.closed_at IS NULL');
  if (query.sinceMs !== undefined) clauses.push(`a.since >= ${param(query.sinceMs)}`);
  if (query.untilMs !== undefined) clauses.push(`a.since < ${param(query.untilMs)}`);
  if (query.before !== undefined) clauses.push(`a.id < ${param(query.before)}`);
  for (const [key, value] of Object.entries(query.labels ?? {})) {
    const keyParam = param(key);
    // `tags`: one of its `;`-separated tags (labels.ts labelHolds), found as `;tag;` in `;a;b;`.
    if (key === TAGS_LABEL) clauses.push(`${dialect.position(`';' || (${label(keyParam)}) || ';'`, param(`;${value};`))} > 0`);
    else clauses.push(`${label(keyParam)} = ${param(value)}`);
  }
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

/** Counts of a GROUP BY summed by one of its columns. */
export function sumBy<R extends { n: number | string }, K extends string>(rows: readonly R[], key: (row: R) => K): Partial<Record<K, number>> {
  const out: Partial<Record<K, number>> = {};
  for (const r of rows) out[key(r)] = (out[key(r)] ?? 0) + Number(r.n);
  return out;
}
