import { performance } from 'node:perf_hooks';
import type { Report } from 'posdiag-protocol';
import type { HubStore, InsertOutcome, ReportToStore } from './store.js';

/** Most reports in one transaction: a bound on how long one commit holds the terminals' locks. */
export const MAX_BATCH = 1_000;

/** What one transaction did, for whoever watches the commits (the hub's metrics). */
export interface CommitObservation {
  items: readonly ReportToStore[];
  /** One per item; null when the transaction failed (every item is refused as retryable). */
  outcomes: readonly InsertOutcome[] | null;
  /** How long the transaction took, by the monotonic clock. */
  seconds: number;
}

export interface GroupCommitOptions {
  maxBatch?: number;
  /** Called after each transaction, before its callers hear of it; must not throw. */
  onCommit?: (commit: CommitObservation) => void;
}

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

  private readonly maxBatch: number;
  private readonly onCommit: ((commit: CommitObservation) => void) | undefined;

  constructor(
    private readonly store: HubStore,
    options: GroupCommitOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? MAX_BATCH;
    this.onCommit = options.onCommit;
  }

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
      const items = batch.map((w) => w.item);
      const started = performance.now();
      try {
        const outcomes = await this.store.insertBatch(items);
        this.onCommit?.({ items, outcomes, seconds: (performance.now() - started) / 1000 });
        batch.forEach((w, i) => w.resolve(outcomes[i]!));
      } catch (err) {
        this.onCommit?.({ items, outcomes: null, seconds: (performance.now() - started) / 1000 });
        for (const w of batch) w.reject(err);
      }
    }
    this.running = undefined;
  }
}
