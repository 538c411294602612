/**
 * The dispatcher: alerts in, notifications out, as Alertmanager's dispatch/dispatch.go with its notify
 * pipeline's silence and dedup stages. Each alert passes the fleet correlation (correlation.ts), then
 * goes to every route the tree matches (route.ts) and into that route's aggregation group for its
 * group_by values (aggregation-group.ts), which decides when to notify; escalation stages ride on the
 * groups (escalation.ts) and silences mute inside them (silences.ts). Pure and in memory: no store, no
 * network; time comes from the Clock, notices leave through `onNotify`, which must not throw (it runs
 * on the Clock's timers; a receiver queues the notice and reports its own failures).
 * Invariants:
 * - an alert is identified by its key; an update with labels that route elsewhere resolves it in the
 *   groups it left, so no group keeps telling a stale firing alert;
 * - a resolved alert the dispatcher holds nowhere is ignored (there is nobody to tell);
 * - acknowledgement is per key and lasts until the alert resolves (a later firing is a new occurrence).
 */
import type { Clock } from 'posdiag-protocol';
import { AggregationGroup, type GroupContext } from './aggregation-group.js';
import type { NotifyConfig } from './config.js';
import { Correlator } from './correlation.js';
import { formatLabels } from './matchers.js';
import { groupNoticeOf, type NotifyAlert, type NotifyCallback } from './group-notice.js';
import { Route } from './route.js';
import { Silences } from './silences.js';

export interface DispatcherOptions {
  config: NotifyConfig;
  clock: Clock;
  onNotify: NotifyCallback;
  /** Shared with the silences API; a fresh, empty set when not given. */
  silences?: Silences;
}

export class Dispatcher {
  readonly silences: Silences;
  readonly tree: Route;
  private readonly clock: Clock;
  private readonly correlator: Correlator;
  private readonly groups = new Map<string, AggregationGroup>();
  /** The groups holding each alert key. */
  private readonly holders = new Map<string, Set<AggregationGroup>>();
  private readonly acked = new Set<string>();
  private readonly context: GroupContext;

  constructor(options: DispatcherOptions) {
    this.clock = options.clock;
    this.silences = options.silences ?? new Silences();
    this.tree = new Route(options.config.route);
    this.correlator = new Correlator(options.config.correlate);
    const sendResolved = new Map(options.config.receivers.map((r) => [r.name, r.send_resolved ?? true]));
    this.context = {
      clock: this.clock,
      silences: this.silences,
      notify: options.onNotify,
      sendResolved: (receiver) => sendResolved.get(receiver) ?? true,
      isAcknowledged: (key) => this.acked.has(key),
      dropped: (key, group) => {
        const set = this.holders.get(key);
        set?.delete(group);
        if (set?.size === 0) this.holders.delete(key);
      },
      ended: (group) => this.groups.delete(groupId(group.route, group.groupLabels)),
    };
  }

  /** An alert fired, changed or resolved. */
  alert(alert: NotifyAlert): void {
    const outcome = this.correlator.offer(alert, this.clock.now(), (key) => this.withdraw(key));
    for (const incident of outcome.incidents) this.route(incident);
    if (!outcome.held) this.route(alert);
    for (const released of outcome.released) this.route(released);
  }

  /** The alarm of `key` was acknowledged: its escalation stops. */
  acknowledged(key: string): void {
    this.acked.add(key);
    for (const group of this.holders.get(key) ?? []) group.acknowledgementChanged(key);
  }

  /** The acknowledgement of `key` was taken back: its remaining stages fall due again, counted from now. */
  unacknowledged(key: string): void {
    if (!this.acked.delete(key)) return;
    for (const group of this.holders.get(key) ?? []) group.acknowledgementChanged(key);
  }

  /**
   * The alert still fires and should be brought up again (a terminal still silent: alarms/reminders.ts):
   * one notice at once to the receiver of every route it matches, outside the groups, whose repeat_interval
   * it does not touch; none while it is acknowledged or a silence mutes it.
   */
  remind(alert: NotifyAlert): void {
    const now = this.clock.now();
    if (this.acked.has(alert.key) || this.silences.muting(alert.labels, now).length > 0) return;
    for (const route of this.tree.match(alert.labels)) {
      const labels = route.groupLabels(alert.labels);
      const receiver = route.options.receiver;
      this.context.notify(receiver, groupNoticeOf(receiver, `${route.key}:${formatLabels(labels)}/reminder`, labels, [alert]));
    }
  }

  /** Stops every timer (the hub is closing); nothing is sent after. */
  stop(): void {
    for (const group of this.groups.values()) group.stop();
    this.groups.clear();
    this.holders.clear();
  }

  private route(alert: NotifyAlert): void {
    const held = this.holders.get(alert.key) ?? new Set<AggregationGroup>();
    if (alert.status === 'resolved') this.acked.delete(alert.key);
    if (alert.status === 'resolved' && held.size === 0) return;
    const targets = new Set<AggregationGroup>();
    for (const route of this.tree.match(alert.labels)) {
      const group = this.groupFor(route, alert);
      if (group) targets.add(group);
    }
    for (const group of held) if (!targets.has(group)) group.insert({ ...alert, status: 'resolved', endsAt: this.clock.now() });
    for (const group of targets) {
      group.insert(alert);
      held.add(group);
    }
    if (held.size > 0) this.holders.set(alert.key, held);
  }

  /** The group of this route for the alert's group labels; made for a firing alert only. */
  private groupFor(route: Route, alert: NotifyAlert): AggregationGroup | undefined {
    const labels = route.groupLabels(alert.labels);
    const id = groupId(route, labels);
    let group = this.groups.get(id);
    if (!group && alert.status === 'firing') {
      group = new AggregationGroup(route, labels, this.context);
      this.groups.set(id, group);
    }
    return group;
  }

  /** Takes `key` back from the groups that have not told it; true when no group holds it after. */
  private withdraw(key: string): boolean {
    let kept = false;
    for (const group of [...(this.holders.get(key) ?? [])]) if (!group.withdraw(key)) kept = true;
    return !kept;
  }
}

function groupId(route: Route, labels: Readonly<Record<string, string>>): string {
  return `${route.id}\u0000${formatLabels(labels)}`;
}
