/**
 * A route's escalation stages, for one aggregation group: stage i notifies its receiver about each
 * alert of the group still firing and unacknowledged `after` since the group's first notice told it as
 * firing (each stage's `after` counts from that notice, so `15m` then `1h` means a quarter of an hour
 * and an hour after the team heard). Each stage tells an alert once; alerts due together go in one
 * notice per stage, whose groupKey is the group's plus `/escalate/<stage>`. Invariants:
 * - an acknowledged alert escalates no further; an unack restarts the count from the unack time for the
 *   stages not yet sent;
 * - an alert muted by a silence when its stage falls due waits; the group's next flush re-plans it;
 * - when an escalated alert resolves, every stage that told it gets the resolved notice (send_resolved
 *   of that stage's receiver permitting);
 * - the route's own notices (group_interval, repeat_interval) go on regardless: escalation adds receivers.
 */
import type { TimerHandle } from 'posdiag-protocol';
import type { GroupContext } from './aggregation-group.js';
import { byKey, groupNoticeOf, type Labels, type NotifyAlert } from './group-notice.js';
import type { EscalationStage } from './route.js';

interface Progress {
  /** When the count started: the group's first notice of the alert, or its last unack. */
  since: number;
  /** How many stages have told it. */
  sent: number;
}

export class Escalation {
  private readonly progress = new Map<string, Progress>();
  private timer: TimerHandle | undefined;

  constructor(
    private readonly stages: readonly EscalationStage[],
    private readonly groupKey: string,
    private readonly groupLabels: Labels,
    private readonly alerts: ReadonlyMap<string, NotifyAlert>,
    private readonly ctx: GroupContext,
  ) {}

  /** Whether a notice of the group has told `key` as firing. */
  wasNotified(key: string): boolean {
    return this.progress.has(key);
  }

  /** A notice told `key` as firing at `now`; the first such notice starts its count. */
  notified(key: string, now: number): void {
    if (!this.progress.has(key)) this.progress.set(key, { since: now, sent: 0 });
  }

  restart(key: string, now: number): void {
    const p = this.progress.get(key);
    if (p) p.since = now;
  }

  forget(key: string): void {
    this.progress.delete(key);
  }

  /** Sends the resolved notices of alerts leaving the group to the stages that told them. */
  resolved(alerts: readonly NotifyAlert[]): void {
    this.stages.forEach((stage, i) => {
      if (!this.ctx.sendResolved(stage.receiver)) return;
      const told = alerts.filter((a) => (this.progress.get(a.key)?.sent ?? 0) > i);
      if (told.length > 0) this.send(i, told);
    });
  }

  /** Sets the timer for the next stage due among the eligible alerts (none: no timer). */
  schedule(): void {
    this.stop();
    if (this.stages.length === 0) return;
    const now = this.ctx.clock.now();
    let next = Infinity;
    for (const a of this.eligible(now)) next = Math.min(next, this.dueAt(a.key));
    if (next === Infinity) return;
    this.timer = this.ctx.clock.setTimeout(() => this.fire(), Math.max(0, next - now));
  }

  stop(): void {
    if (this.timer !== undefined) this.ctx.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private fire(): void {
    this.timer = undefined;
    const now = this.ctx.clock.now();
    const due: NotifyAlert[][] = this.stages.map(() => []);
    for (const a of this.eligible(now)) {
      const p = this.progress.get(a.key)!;
      // A stage skipped while its alert was muted is told now, with any later stage also due.
      while (p.sent < this.stages.length && this.dueAt(a.key) <= now) due[p.sent++]!.push(a);
    }
    due.forEach((alerts, i) => {
      if (alerts.length > 0) this.send(i, alerts);
    });
    this.schedule();
  }

  /** Alerts that may still escalate: told, firing, unacknowledged, not muted, a stage left. */
  private *eligible(now: number): Generator<NotifyAlert> {
    for (const [key, p] of this.progress) {
      const a = this.alerts.get(key);
      if (!a || a.status !== 'firing' || p.sent >= this.stages.length) continue;
      if (this.ctx.isAcknowledged(key) || this.ctx.silences.muting(a.labels, now).length > 0) continue;
      yield a;
    }
  }

  private dueAt(key: string): number {
    const p = this.progress.get(key)!;
    return p.since + this.stages[p.sent]!.afterMs;
  }

  private send(stage: number, alerts: NotifyAlert[]): void {
    const receiver = this.stages[stage]!.receiver;
    const sorted = [...alerts].sort(byKey);
    this.ctx.notify(receiver, groupNoticeOf(receiver, `${this.groupKey}/escalate/${stage + 1}`, this.groupLabels, sorted, stage + 1));
  }
}
