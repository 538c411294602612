import type { Clock } from 'posdiag-protocol';
import { repeatEvery } from '../core/repeat.js';
import type { TerminalIdentity } from '../core/terminal-identity.js';
import type { Logger } from '../log/logger.js';
import { buildHeartbeatReport } from './builder.js';
import type { Outbox } from './outbox-contract.js';

export interface HeartbeatOptions {
  outbox: Outbox;
  terminal: TerminalIdentity;
  clock: Clock;
  log: Logger;
  /** Keys of the faults firing now (`code` or `code:instance`). */
  openFaults: () => string[];
}

/**
 * The agent's heartbeat report: uptime, open faults and the outbox's state, every interval once
 * started, and at once after the outbox evicted reports while full, since the heartbeat is what carries
 * the dropped seqs to the hub (SPEC §7). Eviction notices are watched from construction on, so none is
 * missed before `start`.
 */
export class Heartbeats {
  private readonly startedAt: number;
  private stopRepeating = () => {};
  private evictionNoticeDue = false;

  constructor(private readonly opts: HeartbeatOptions) {
    this.startedAt = opts.clock.now();
    opts.outbox.onRecord(() => {
      if (this.evictionNoticeDue || opts.outbox.stats().droppedSeqs.length === 0) return;
      this.evictionNoticeDue = true;
      opts.clock.setTimeout(() => {
        this.evictionNoticeDue = false;
        this.send().catch((err) => opts.log.error({ err }, 'could not record the eviction notice'));
      }, 0);
    });
  }

  start(intervalMs: number): void {
    this.stopRepeating = repeatEvery(this.opts.clock, intervalMs, () => this.send(), this.opts.log);
  }

  stop(): void {
    this.stopRepeating();
  }

  private async send(): Promise<void> {
    const { outbox, clock, terminal } = this.opts;
    const stats = outbox.stats();
    const draft = buildHeartbeatReport(
      {
        uptimeS: Math.round((clock.now() - this.startedAt) / 1000),
        openFaults: this.opts.openFaults(),
        outbox: { pending: stats.pending, droppedSeqs: outbox.takeDropped(), storage: stats.storage },
      },
      { terminal, now: clock.now() },
    );
    await outbox.record(draft);
  }
}
