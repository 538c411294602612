import type { Report, ReportDraft } from 'posdiag-protocol';

export interface OutboxStats {
  pending: number;
  bytes: number;
  storage: 'disk' | 'memory';
  /** Seqs evicted (outbox full) and not yet announced in a heartbeat. */
  droppedSeqs: number[];
  droppedTotal: number;
}

/**
 * The durable outbox: the one place a report lives between being recorded and being acknowledged.
 *
 * Invariants:
 * - `record` assigns the next `seq` (last + 1, across restarts and crashes) and resolves only after the
 *   report is on disk (fdatasync'd). A report whose `record` resolved survives SIGKILL and power loss.
 * - A torn or corrupt tail (checksum per record) is cut at open, never delivered, never blocks open.
 * - `pending()` lists unacknowledged reports in seq order. `ack(id)` removes one; the removal survives
 *   SIGKILL at once and power loss from the next record on (a lost ack costs one duplicate resend).
 * - Bounded: beyond `maxBytes` the oldest report of the lowest severity goes first; its seq is kept in
 *   `stats().droppedSeqs` until `takeDropped()` hands it to the next heartbeat.
 * - If the disk fails (ENOSPC, EIO, EROFS), records go to an in-memory ring instead, `storage` becomes
 *   'memory' and `onStorageChange` fires; it retries the disk and returns to 'disk' when writes work.
 */
export interface Outbox {
  record(draft: ReportDraft): Promise<Report>;
  pending(limit?: number): Report[];
  ack(id: string): Promise<void>;
  stats(): OutboxStats;
  takeDropped(): number[];
  lastSeq(): number;
  onStorageChange(listener: (storage: 'disk' | 'memory', error?: Error) => void): void;
  /** Fires after every successful `record`, so the uplink can send without polling. */
  onRecord(listener: (report: Report) => void): void;
  close(): Promise<void>;
}
