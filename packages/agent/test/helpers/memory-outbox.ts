import type { Outbox, OutboxStats } from '../../src/report/outbox-contract.js';
import type { Report, ReportDraft } from 'posdiag-protocol';

/**
 * An in-memory Outbox for tests of its consumers (uplink, heartbeat, CLI). Keeps the contract's
 * ordering and ack semantics but none of the durability or bounds. `acked` lists ids in ack order.
 */
export class MemoryOutbox implements Outbox {
  readonly acked: string[] = [];
  private readonly reports: Report[] = [];
  private seq: number;
  private readonly recordListeners: Array<(report: Report) => void> = [];
  private readonly ackWaiters: Array<{ count: number; resolve: () => void }> = [];

  constructor(lastSeq = 0) {
    this.seq = lastSeq;
  }

  async record(draft: ReportDraft): Promise<Report> {
    const report = { ...draft, seq: ++this.seq } as Report;
    this.reports.push(report);
    for (const listener of this.recordListeners) listener(report);
    return report;
  }

  pending(limit?: number): Report[] {
    return this.reports.slice(0, limit);
  }

  /** Removes at once (so `pending()` reflects it synchronously); unknown ids are a no-op. */
  async ack(id: string): Promise<void> {
    const i = this.reports.findIndex((r) => r.id === id);
    if (i < 0) return;
    this.reports.splice(i, 1);
    this.acked.push(id);
    for (const waiter of this.ackWaiters.filter((w) => this.acked.length >= w.count)) {
      this.ackWaiters.splice(this.ackWaiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  }

  /** Resolves once `count` reports in all have been acked. */
  whenAcked(count: number): Promise<void> {
    if (this.acked.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.ackWaiters.push({ count, resolve }));
  }

  stats(): OutboxStats {
    return { pending: this.reports.length, bytes: 0, storage: 'memory', droppedSeqs: [], droppedTotal: 0 };
  }

  takeDropped(): number[] {
    return [];
  }

  lastSeq(): number {
    return this.seq;
  }

  onStorageChange(): void {}

  onRecord(listener: (report: Report) => void): void {
    this.recordListeners.push(listener);
  }

  async close(): Promise<void> {}
}
