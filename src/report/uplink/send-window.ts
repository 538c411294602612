import type { Report } from '../schema.js';

/**
 * Which report goes out next on one hub connection. A new window is made for every connection from
 * `outbox.pending()`, so everything unacknowledged is resent after a reconnect.
 *
 * Invariants: reports leave in seq order, each at most once per connection; at most `size` are
 * taken and not yet settled (acked or rejected by the hub).
 */
export class SendWindow {
  private readonly queue: Report[] = [];
  private readonly unsettled = new Set<string>();
  private lastQueuedSeq = 0;

  constructor(
    private readonly size: number,
    pending: readonly Report[],
  ) {
    for (const report of pending) this.enqueue(report);
  }

  /** Adds a newly recorded report; one already queued (seq not above the last one) is ignored. */
  enqueue(report: Report): void {
    if (report.seq <= this.lastQueuedSeq) return;
    this.queue.push(report);
    this.lastQueuedSeq = report.seq;
  }

  /** The next report to send, or undefined when the window is full or nothing is waiting. */
  take(): Report | undefined {
    if (this.unsettled.size >= this.size) return undefined;
    const report = this.queue.shift();
    if (report) this.unsettled.add(report.id);
    return report;
  }

  /** Frees the report's slot; false when it was not in flight on this connection. */
  settle(id: string): boolean {
    return this.unsettled.delete(id);
  }

  get inFlight(): number {
    return this.unsettled.size;
  }
}
