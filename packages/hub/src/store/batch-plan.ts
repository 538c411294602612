import type { FaultReport } from 'posdiag-protocol';
import type { InsertOutcome, ReportToStore } from './store.js';

/** What a backend reads, inside the batch's transaction and before writing, for `planBatch`. */
export interface BatchLookups {
  /** Reports already stored under one of the batch's ids. */
  byId: Map<string, { terminal: string; seq: number }>;
  /** Highest seq stored per terminal of the batch (absent = none). */
  lastSeq: Map<string, number>;
  /** `pairKey(terminal, seq)` of every (terminal, seq) of the batch that a stored report already holds. */
  heldSeqs: Set<string>;
  /** The seq of the stored state of each fault the batch touches, by `faultKey`. */
  faultSeq: Map<string, number>;
}

/** A fault row as both backends store it: the latest state by seq. */
export interface FaultRow {
  terminal: string;
  code: string;
  /** JSON of the instance, so null and "" stay distinct under the primary key. */
  instanceKey: string;
  instance: string | null;
  state: FaultReport['state'];
  seq: number;
  severity: string;
  category: string;
  since: string;
  inhibitedBy: string | null;
  reportId: string;
}

export interface BatchPlan {
  outcomes: InsertOutcome[];
  /** The reports to insert, in arrival order. */
  inserts: ReportToStore[];
  /** One row per fault key whose state changed: the newest applied report's. */
  faults: FaultRow[];
}

export const pairKey = (terminal: string, seq: number) => `${terminal}\u0000${seq}`;
export const instanceKey = (instance: string | null) => JSON.stringify(instance);
export const faultKey = (terminal: string, code: string, instance: string | null) => `${terminal}\u0000${code}\u0000${instanceKey(instance)}`;

/**
 * The store's semantics for a batch, in one place for both backends: given what is stored (`lookups`),
 * decides each report's outcome as if the reports were stored one by one in order, and what to write.
 * The backend must hold the batch's terminals exclusively between the lookups and the writes (SQLite's
 * one writer; PostgreSQL's transaction-scoped advisory locks) for the decisions to stay true.
 */
export function planBatch(items: readonly ReportToStore[], lookups: BatchLookups): BatchPlan {
  const byId = new Map(lookups.byId);
  const lastSeq = new Map(lookups.lastSeq);
  const heldSeqs = new Set(lookups.heldSeqs);
  const faultSeq = new Map(lookups.faultSeq);
  const faults = new Map<string, FaultRow>();
  const inserts: ReportToStore[] = [];
  const outcomes = items.map(({ report, receivedAt }): InsertOutcome => {
    const existing = byId.get(report.id);
    if (existing) {
      return existing.terminal === report.terminal && existing.seq === report.seq ? { status: 'duplicate' } : { status: 'conflict', existing };
    }
    const previousLast = lastSeq.get(report.terminal) ?? 0;
    const gap = report.seq > previousLast + 1 ? { from: previousLast + 1, to: report.seq - 1 } : null;
    const seqReused = report.seq <= previousLast && heldSeqs.has(pairKey(report.terminal, report.seq));
    byId.set(report.id, { terminal: report.terminal, seq: report.seq });
    lastSeq.set(report.terminal, Math.max(previousLast, report.seq));
    heldSeqs.add(pairKey(report.terminal, report.seq));
    inserts.push({ report, receivedAt });
    let fault: 'applied' | 'stale' | null = null;
    if (report.kind === 'fault') {
      const key = faultKey(report.terminal, report.code, report.instance);
      const current = faultSeq.get(key);
      fault = current === undefined || report.seq > current ? 'applied' : 'stale';
      if (fault === 'applied') {
        faultSeq.set(key, report.seq);
        faults.set(key, {
          terminal: report.terminal,
          code: report.code,
          instanceKey: instanceKey(report.instance),
          instance: report.instance,
          state: report.state,
          seq: report.seq,
          severity: report.severity,
          category: report.category,
          since: report.since,
          inhibitedBy: report.inhibitedBy,
          reportId: report.id,
        });
      }
    }
    return { status: 'stored', row: { ...report, receivedAt }, gap, seqReused, fault };
  });
  return { outcomes, inserts, faults: [...faults.values()] };
}
