import type { Logger } from '../logger.js';
import type { Fleet, StreamEvent } from './fleet.js';

/**
 * Gathers the alert stream's events of one turn of the event loop (the reports of one group commit
 * are acked in one turn) and hands them to the fleet as one publish: one NOTIFY per batch, never one
 * per report.
 */
export class EventBatcher {
  private pending: StreamEvent[] = [];
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly fleet: Fleet,
    private readonly log: Logger,
  ) {}

  add(event: StreamEvent): void {
    this.pending.push(event);
    this.flushing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.flush());
  }

  /** Resolves once everything added so far has been handed on. */
  async flushed(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async flush(): Promise<void> {
    const events = this.pending;
    this.pending = [];
    this.flushing = undefined;
    // The events reached this hub's own stream already; only the other hubs may miss them.
    await this.fleet.publish(events).catch((err: unknown) => this.log.error({ err: (err as Error).message, events: events.length }, 'alert events not shared with the other hubs'));
  }
}
