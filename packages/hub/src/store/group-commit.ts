import type { Report } from 'posdiag-protocol';
import type { HubStore, InsertOutcome, ReportToStore } from './store.js';

/** Most reports in one transaction: a bound on how long one commit holds the terminals' locks. */
export const MAX_BATCH = 1_000;

interface Waiting {
  item: ReportToStore;
  resolve: (outcome: InsertOutcome) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit: every report, from any connection, waits for the next transaction, which takes all that
 * arrived meanwhile. While one commit is in flight (PostgreSQL) or has just blocked the event loop
 * (SQLite's fsync), the frames that arrive queue up, and the next commit stores them together: one
 * fsync for many reports, with no timer adding latency when the hub is idle. Each caller's promise
 * settles only after the commit that holds its report, so an ack sent then is an ack of data on disk.
 * A failed commit fails every report in it; each is refused as retryable and sent again.
 */
export class GroupCommit {
  private queue: Waiting[] = [];
  private running: Promise<void> | undefined;

  constructor(
    private readonly store: HubStore,
    private readonly maxBatch = MAX_BATCH,
  ) {}

  insert(report: Report, receivedAt: string): Promise<InsertOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item: { report, receivedAt }, resolve, reject });
      // setImmediate: after the I/O phase, so every frame already read joins this batch.
      this.running ??= new Promise((done) => setImmediate(done)).then(() => this.drainQueue());
    });
  }

  /** Resolves once every report handed in so far has been committed (or failed): before the store closes. */
  async flushed(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drainQueue(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        const outcomes = await this.store.insertBatch(batch.map((w) => w.item));
        batch.forEach((w, i) => w.resolve(outcomes[i]!));
      } catch (err) {
        for (const w of batch) w.reject(err);
      }
    }
    this.running = undefined;
  }
}
