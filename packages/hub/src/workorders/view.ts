import { formatCsv } from '../labels/csv.js';
import { hasProof } from './transitions.js';
import type { SpareRecord, SwapRecord, WorkOrderLogEntry, WorkOrderRecord } from './work-order.js';
import { isoOrNull } from '../iso-time.js';


/** A work order as the API lists it (times ISO 8601); `merchantPath` is its public page (merchant-page.ts). */
export function workOrderView(o: WorkOrderRecord) {
  return {
    id: o.id,
    ref: o.ref,
    terminal: o.terminal,
    state: o.state,
    kind: o.kind,
    serial: o.serial,
    currentSerial: o.currentSerial,
    code: o.code,
    severity: o.severity,
    alarm: o.alarmId,
    reports: o.reports,
    assignee: o.assignee,
    contact: o.contact,
    address: o.address,
    notes: o.notes,
    proven: hasProof(o),
    selfTestId: o.selfTestId,
    openedBy: o.openedBy,
    openedAt: isoOrNull(o.openedAt),
    updatedAt: isoOrNull(o.updatedAt),
    closedAt: isoOrNull(o.closedAt),
    acceptDueAt: isoOrNull(o.acceptDueAt),
    expectedAt: isoOrNull(o.resolveDueAt),
    acceptBreachedAt: isoOrNull(o.acceptBreachedAt),
    resolveBreachedAt: isoOrNull(o.resolveBreachedAt),
    merchantPath: `/wo/${o.token}`,
  };
}

export function logView(e: WorkOrderLogEntry) {
  return { at: isoOrNull(e.at), actor: e.actor, action: e.action, from: e.from, to: e.to, comment: e.comment, detail: e.detail === null ? null : (JSON.parse(e.detail) as unknown) };
}

export const swapView = (s: SwapRecord) => ({ ...s, at: isoOrNull(s.at), completedAt: isoOrNull(s.completedAt) });
export const spareView = (s: SpareRecord) => ({ ...s, since: isoOrNull(s.since) });

const CSV_COLUMNS = ['id', 'ref', 'terminal', 'kind', 'state', 'serial', 'currentSerial', 'code', 'severity', 'assignee', 'openedAt', 'updatedAt', 'closedAt', 'expectedAt', 'proven'] as const;

/** GET /api/workorders.csv: one header line, one line per order (RFC 4180, labels/csv.ts). */
export function workOrdersCsv(orders: readonly WorkOrderRecord[]): string {
  const rows = orders.map((o) => {
    const v = workOrderView(o);
    return CSV_COLUMNS.map((c) => (v[c] === null ? '' : String(v[c])));
  });
  return formatCsv([[...CSV_COLUMNS], ...rows]);
}
