import type { Report } from 'posdiag-protocol';

/**
 * Which report goes out next on one hub connection. A new window is made for every connection from
 * `outbox.pending()`, so everything unacknowledged is resent after a reconnect.
 *
 * Invariants: reports leave in seq order, each once per connection unless the hub asks for it again
 * (`requeue`); at most `size` are taken and not yet settled (acked or refused by the hub).
 */
export class SendWindow {
  private readonly queue: Report[] = [];
  /** Taken and not yet settled, by id. */
  private readonly unsettled = new Map<string, Report>();
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
    if (report) this.unsettled.set(report.id, report);
    return report;
  }

  /** Frees the report's slot: the report, or undefined when it was not in flight on this connection. */
  settle(id: string): Report | undefined {
    const report = this.unsettled.get(id);
    this.unsettled.delete(id);
    return report;
  }

  /**
   * Puts a report in flight back in the queue, in seq order, to be taken again (the hub could not take it
   * now). False when it was not in flight on this connection.
   */
  requeue(id: string): boolean {
    const report = this.settle(id);
    if (!report) return false;
    const at = this.queue.findIndex((queued) => queued.seq > report.seq);
    this.queue.splice(at === -1 ? this.queue.length : at, 0, report);
    return true;
  }

  get inFlight(): number {
    return this.unsettled.size;
  }
}
