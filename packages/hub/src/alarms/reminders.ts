import type { Clock, TimerHandle } from 'posdiag-protocol';
import type { Logger } from '../logger.js';
import type { AlarmStore } from '../store/store.js';
import { SILENT_CODE, SYSTEM_ACTOR } from './alarm.js';
import type { AlarmEvents } from './alarm-events.js';

/** A terminal that stays silent is brought up again this often (ThingsBoard #7898). */
export const DEFAULT_REMINDER_EVERY_MS = 4 * 3_600_000;

/**
 * Reminders for terminal.silent alarms still active: every `everyMs` after the raise (and after each
 * reminder) one `reminder` event, for the notifier to send on. Each hub checks on its clock, a tenth of
 * the period apart (at most a minute); the store claims each due reminder for one hub, so the fleet
 * sends it once. Nothing is sent from here: the notifier's feed sends it on (notify/feed.ts).
 */
export class SilentReminders {
  private timer: TimerHandle | undefined;

  constructor(
    private readonly opts: { store: AlarmStore; events: AlarmEvents; clock: Clock; log: Logger; everyMs?: number },
  ) {
    if (opts.everyMs !== undefined && !(opts.everyMs > 0)) throw new RangeError(`reminderEvery must be positive (got ${opts.everyMs})`);
  }

  private get everyMs(): number {
    return this.opts.everyMs ?? DEFAULT_REMINDER_EVERY_MS;
  }

  start(): void {
    const every = Math.min(60_000, Math.max(1000, Math.floor(this.everyMs / 10)));
    const tick = () => {
      this.timer = this.opts.clock.setTimeout(tick, every);
      this.check().catch((err: unknown) => this.opts.log.error({ err: (err as Error).message }, 'silent reminders not checked'));
    };
    this.timer = this.opts.clock.setTimeout(tick, every);
  }

  stop(): void {
    if (this.timer) this.opts.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Emits a reminder for each silent alarm due now; says how many. */
  async check(): Promise<number> {
    const now = this.opts.clock.now();
    const due = await this.opts.store.claimReminders(SILENT_CODE, now - this.everyMs, now);
    for (const alarm of due) this.opts.events.emit({ type: 'reminder', alarm, actor: SYSTEM_ACTOR });
    return due.length;
  }
}
