import type { Clock } from 'posdiag-protocol';
import type { AuditEntry, AuditOutcome, AuditQuery, OperatorStore } from '../store/store.js';

/** What one audit entry says; the log adds when. */
export interface AuditEvent {
  principal: string;
  action: string;
  target?: string | null;
  remote?: string | null;
  outcome: AuditOutcome;
  detail?: string | null;
}

export const MAX_AUDIT_PAGE = 1000;
export const DEFAULT_AUDIT_PAGE = 100;

/**
 * The append-only audit log (GET /api/audit): one entry per action (a command posted, a user changed, a
 * token issued) and per login, with who, when, from where and how it ended; reads are not logged.
 */
export class AuditLog {
  constructor(
    private readonly store: OperatorStore,
    private readonly clock: Clock,
  ) {}

  record(event: AuditEvent): Promise<number> {
    return this.store.appendAudit({
      at: this.clock.now(),
      principal: event.principal,
      action: event.action,
      target: event.target ?? null,
      remote: event.remote ?? null,
      outcome: event.outcome,
      detail: event.detail ?? null,
    });
  }

  /** A page, newest first; `next` is the `before` of the page after it, null when this is the last. */
  async page(query: Omit<AuditQuery, 'limit'> & { limit?: number }): Promise<{ entries: AuditEntry[]; next: number | null }> {
    const limit = query.limit ?? DEFAULT_AUDIT_PAGE;
    // One row past the page tells whether there is a next one.
    const rows = await this.store.audit({ ...query, limit: limit + 1 });
    const entries = rows.slice(0, limit);
    return { entries, next: rows.length > limit ? entries.at(-1)!.id : null };
  }
}
