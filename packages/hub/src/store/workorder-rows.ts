import type { RepairRequest } from '../workorders/repair-request.js';
import type { AttachmentInfo, SpareRecord, SwapRecord, WorkOrderLogEntry, WorkOrderQuery, WorkOrderRecord } from '../workorders/work-order.js';

/** The work_orders table's columns, as both backends name them, in the order `workOrderValues` gives them. */
export const WORK_ORDER_COLUMNS = [
  'ref', 'token', 'terminal', 'kind', 'state', 'code', 'severity', 'serial', 'current_serial', 'repair_request',
  'report_id', 'reports', 'alarm_id', 'contact', 'address', 'notes', 'assignee', 'proof_since', 'self_test_id',
  'self_test_at', 'accept_due_at', 'resolve_due_at', 'accept_breached_at', 'resolve_breached_at', 'opened_by',
  'opened_at', 'updated_at', 'closed_at',
] as const;

export function workOrderValues(o: Omit<WorkOrderRecord, 'id'>): unknown[] {
  return [
    o.ref, o.token, o.terminal, o.kind, o.state, o.code, o.severity, o.serial, o.currentSerial,
    o.repairRequest === null ? null : JSON.stringify(o.repairRequest),
    o.reportId, o.reports, o.alarmId, o.contact, o.address, o.notes, o.assignee, o.proofSince, o.selfTestId,
    o.selfTestAt, o.acceptDueAt, o.resolveDueAt, o.acceptBreachedAt, o.resolveBreachedAt, o.openedBy,
    o.openedAt, o.updatedAt, o.closedAt,
  ];
}

/** A row of either backend: PostgreSQL's bigints come back as strings and its jsonb parsed, SQLite's JSON as text. */
export type WorkOrderRow = Record<(typeof WORK_ORDER_COLUMNS)[number] | 'id', unknown>;

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const str = (v: unknown) => (v === null || v === undefined ? null : String(v));
const json = <T>(v: unknown): T | null => (v === null || v === undefined ? null : typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));

export function toWorkOrder(r: WorkOrderRow): WorkOrderRecord {
  return {
    id: Number(r.id),
    ref: String(r.ref),
    token: String(r.token),
    terminal: String(r.terminal),
    kind: r.kind as WorkOrderRecord['kind'],
    state: r.state as WorkOrderRecord['state'],
    code: String(r.code),
    severity: String(r.severity),
    serial: str(r.serial),
    currentSerial: str(r.current_serial),
    repairRequest: json<RepairRequest>(r.repair_request),
    reportId: str(r.report_id),
    reports: Number(r.reports),
    alarmId: num(r.alarm_id),
    contact: str(r.contact),
    address: str(r.address),
    notes: str(r.notes),
    assignee: str(r.assignee),
    proofSince: num(r.proof_since),
    selfTestId: str(r.self_test_id),
    selfTestAt: num(r.self_test_at),
    acceptDueAt: Number(r.accept_due_at),
    resolveDueAt: Number(r.resolve_due_at),
    acceptBreachedAt: num(r.accept_breached_at),
    resolveBreachedAt: num(r.resolve_breached_at),
    openedBy: String(r.opened_by),
    openedAt: Number(r.opened_at),
    updatedAt: Number(r.updated_at),
    closedAt: num(r.closed_at),
  };
}

export const LOG_COLUMNS = 'at, actor, action, from_state, to_state, comment, detail';

export function toLogEntry(r: Record<string, unknown>): WorkOrderLogEntry {
  return { at: Number(r.at), actor: String(r.actor), action: String(r.action), from: r.from_state as WorkOrderLogEntry['from'], to: r.to_state as WorkOrderLogEntry['to'], comment: str(r.comment), detail: str(r.detail) };
}

export const logValues = (orderId: number, e: WorkOrderLogEntry) => [orderId, e.at, e.actor, e.action, e.from, e.to, e.comment, e.detail];

export const SWAP_COLUMNS = 'id, order_id, terminal, old_serial, new_serial, at, completed_at, self_test_id';

export function toSwap(r: Record<string, unknown>): SwapRecord {
  return { id: Number(r.id), orderId: Number(r.order_id), terminal: String(r.terminal), oldSerial: String(r.old_serial), newSerial: String(r.new_serial), at: Number(r.at), completedAt: num(r.completed_at), selfTestId: str(r.self_test_id) };
}

export const SPARE_COLUMNS = 'serial, state, terminal, order_id, since';

export function toSpare(r: Record<string, unknown>): SpareRecord {
  return { serial: String(r.serial), state: r.state as SpareRecord['state'], terminal: String(r.terminal), orderId: Number(r.order_id), since: Number(r.since) };
}

/** The list's WHERE: `param(n)` is the backend's placeholder for the nth value. */
export function workOrderWhere(q: WorkOrderQuery, param: (n: number) => string): { where: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    clauses.push(sql.replace('?', param(params.length)));
  };
  if (q.terminal !== undefined) add('terminal = ?', q.terminal);
  if (q.state !== undefined) add('state = ?', q.state);
  if (q.kind !== undefined) add('kind = ?', q.kind);
  if (q.before !== undefined) add('id < ?', q.before);
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

/** Open: neither closed nor cancelled (the partial unique index of both backends says the same). */
export const OPEN_STATE_SQL = "state NOT IN ('closed', 'cancelled')";

export const ATTACHMENT_COLUMNS = 'id, order_id, name, content_type, size, sha256, added_by, added_at';

export function toAttachment(r: Record<string, unknown>): AttachmentInfo {
  return { id: Number(r.id), orderId: Number(r.order_id), name: String(r.name), contentType: String(r.content_type), size: Number(r.size), sha256: String(r.sha256), addedBy: String(r.added_by), addedAt: Number(r.added_at) };
}
