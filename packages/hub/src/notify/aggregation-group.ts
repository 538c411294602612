/**
 * One aggregation group: the alerts of one route that share the route's group_by values, as
 * Alertmanager's dispatch/group.go keeps them, with the decision of its notify.go DedupStage.
 * Invariants:
 * - the first flush is group_wait after the group was made (at once for an alert that started more
 *   than group_wait ago and arrives before the first flush), then one every group_interval;
 * - a flush notifies when a firing alert is new since the last notice, when a resolved alert is new
 *   since it (with send_resolved), when nothing fires any more that the last notice told as firing, or
 *   when repeat_interval has passed since the last notice and something still fires; else it is silent;
 * - alerts muted by a silence at the flush are left out of the notice and out of its record, so an
 *   alert whose silence ended is new again;
 * - resolved alerts leave the group at the flush after they resolved (told or not), and a group
 *   left empty ends (the dispatcher makes a new one, with a new group_wait, for the next alert).
 */
import type { Clock, TimerHandle } from 'posdiag-protocol';
import { Escalation } from './escalation.js';
import { formatLabels } from './matchers.js';
import { byKey, groupNoticeOf, type Labels, type NotifyAlert, type NotifyCallback } from './group-notice.js';
import type { Route } from './route.js';
import type { Silences } from './silences.js';

export interface GroupContext {
  clock: Clock;
  silences: Silences;
  notify: NotifyCallback;
  sendResolved(receiver: string): boolean;
  isAcknowledged(key: string): boolean;
  /** The group no longer holds `key` (resolved and flushed, or withdrawn). */
  dropped(key: string, group: AggregationGroup): void;
  /** The group is empty and has stopped its timers. */
  ended(group: AggregationGroup): void;
}

/** What the last notice carried (Alertmanager's notification log entry). */
interface LastNotice {
  firing: ReadonlySet<string>;
  resolved: ReadonlySet<string>;
  at: number;
}

export class AggregationGroup {
  /** Alertmanager's group key: the route's key and the group labels, `{}/{severity="critical"}:{region="north"}`. */
  readonly groupKey: string;
  private readonly alerts = new Map<string, NotifyAlert>();
  private readonly escalation: Escalation;
  private last: LastNotice | undefined;
  private hasFlushed = false;
  private timer: TimerHandle;

  constructor(
    readonly route: Route,
    readonly groupLabels: Labels,
    private readonly ctx: GroupContext,
  ) {
    this.groupKey = `${route.key}:${formatLabels(groupLabels)}`;
    this.escalation = new Escalation(route.options.escalate, this.groupKey, groupLabels, this.alerts, ctx);
    this.timer = ctx.clock.setTimeout(() => this.tick(), route.options.groupWaitMs);
  }

  has(key: string): boolean {
    return this.alerts.has(key);
  }

  insert(alert: NotifyAlert): void {
    this.alerts.set(alert.key, alert);
    // group.go insert: an alert older than group_wait does not wait for the first flush.
    if (!this.hasFlushed && alert.startsAt + this.route.options.groupWaitMs < this.ctx.clock.now()) {
      this.ctx.clock.clearTimeout(this.timer);
      this.timer = this.ctx.clock.setTimeout(() => this.tick(), 0);
    }
  }

  /**
   * Takes back an alert no notice of this group has told as firing (the fleet correlation holds it
   * instead). Returns false, keeping it, when one has.
   */
  withdraw(key: string): boolean {
    if (!this.alerts.has(key)) return true;
    if (this.escalation.wasNotified(key)) return false;
    this.remove(key);
    this.endIfEmpty();
    return true;
  }

  /** An acknowledgement changed: the escalation stages re-plan (an ack stops them, an unack restarts their clock). */
  acknowledgementChanged(key: string): void {
    if (!this.alerts.has(key)) return;
    if (!this.ctx.isAcknowledged(key)) this.escalation.restart(key, this.ctx.clock.now());
    this.escalation.schedule();
  }

  stop(): void {
    this.ctx.clock.clearTimeout(this.timer);
    this.escalation.stop();
  }

  private tick(): void {
    this.timer = this.ctx.clock.setTimeout(() => this.tick(), this.route.options.groupIntervalMs);
    this.hasFlushed = true;
    this.flush();
  }

  private flush(): void {
    const now = this.ctx.clock.now();
    const receiver = this.route.options.receiver;
    const unmuted = [...this.alerts.values()]
      .filter((a) => this.ctx.silences.muting(a.labels, now).length === 0)
      .sort(byKey);
    const firing = new Set(unmuted.filter((a) => a.status === 'firing').map((a) => a.key));
    const resolved = new Set(unmuted.filter((a) => a.status === 'resolved').map((a) => a.key));
    const sendResolved = this.ctx.sendResolved(receiver);
    if (this.needsUpdate(firing, resolved, sendResolved, now)) {
      const sent = unmuted.filter((a) => a.status === 'firing' || sendResolved);
      if (sent.length > 0) this.ctx.notify(receiver, groupNoticeOf(receiver, this.groupKey, this.groupLabels, sent));
      this.last = { firing, resolved, at: now };
      for (const key of firing) this.escalation.notified(key, now);
    }
    const gone = [...this.alerts.values()].filter((a) => a.status === 'resolved');
    this.escalation.resolved(gone);
    for (const a of gone) this.remove(a.key);
    if (!this.endIfEmpty()) this.escalation.schedule();
  }

  /** notify.go DedupStage.needsUpdate, with the last notice in place of the notification log entry. */
  private needsUpdate(firing: Set<string>, resolved: Set<string>, sendResolved: boolean, now: number): boolean {
    const last = this.last;
    if (!last) return firing.size > 0;
    for (const key of firing) if (!last.firing.has(key)) return true;
    // Everything resolved: tell it (even without send_resolved, so the record forgets the firing set),
    // unless the last notice told nothing firing either.
    if (firing.size === 0) return last.firing.size > 0;
    if (sendResolved) for (const key of resolved) if (!last.resolved.has(key)) return true;
    return now - last.at >= this.route.options.repeatIntervalMs;
  }

  private remove(key: string): void {
    this.alerts.delete(key);
    this.escalation.forget(key);
    this.ctx.dropped(key, this);
  }

  private endIfEmpty(): boolean {
    if (this.alerts.size > 0) return false;
    this.stop();
    this.ctx.ended(this);
    return true;
  }
}
