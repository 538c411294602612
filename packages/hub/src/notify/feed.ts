import type { StoredMeta } from '../agent-socket.js';
import type { AlarmRecord } from '../alarms/alarm.js';
import type { AlarmEvent } from '../alarms/alarm-events.js';
import type { PresenceEvent } from '../fleet/terminal-presence.js';
import type { StoredReport } from '../store/store.js';
import type { NotifyAlert } from './group-notice.js';

/**
 * What the notifier hears of, until the alarms (alarms/) feed it: a stored fault report the alert stream
 * shows (firing on `alert`, resolved on `cleared`, as alert-stream.ts reportEvent), and a terminal going
 * silent (`terminal.silent`, firing) or being heard again (resolved). Keys are `terminal|code|instance`.
 */
export const SILENT_CODE = 'terminal.silent';

export function alertOfReport(row: StoredReport, meta: StoredMeta): NotifyAlert | null {
  if (row.kind !== 'fault' || !(meta.alert || meta.cleared)) return null;
  const firing = meta.alert;
  return {
    key: `${row.terminal}|${row.code}|${row.instance ?? ''}`,
    status: firing ? 'firing' : 'resolved',
    labels: {
      terminal: row.terminal,
      code: row.code,
      ...(row.instance !== null ? { instance: row.instance } : {}),
      severity: row.severity,
      category: row.category,
    },
    annotations: { 'summary.en': row.summary.en, 'summary.zh-CN': row.summary['zh-CN'], needsTechnician: String(row.needsTechnician) },
    startsAt: Date.parse(row.since),
    ...(firing ? {} : { endsAt: Date.parse(row.receivedAt) }),
  };
}

/** `now`: when the hub declared it silent, the alarm's start (its last report may be long before). */
export function alertOfPresence(event: PresenceEvent, now: number): NotifyAlert {
  const firing = event.type === 'silent';
  return {
    key: `${event.terminal}|${SILENT_CODE}|`,
    status: firing ? 'firing' : 'resolved',
    labels: { terminal: event.terminal, code: SILENT_CODE, severity: 'major', category: 'network' },
    annotations: { lastHeard: event.lastHeard },
    startsAt: firing ? now : Date.parse(event.lastHeard),
    ...(firing ? {} : { endsAt: now }),
  };
}

/** The notifier's alert key of an alarm: the same `terminal|code|instance` as its alerts'. */
export const alarmKey = (alarm: { terminal: string; code: string; instance: string | null }) => `${alarm.terminal}|${alarm.code}|${alarm.instance ?? ''}`;

type FedNotifier = { alert(alert: NotifyAlert): void; remind(alert: NotifyAlert): void; acknowledged(key: string): void; unacknowledged(key: string): void };

/** A reminder that a terminal is still silent, as the alert it brings up again (reminders.ts claims it). */
export function reminderOf(alarm: AlarmRecord): NotifyAlert {
  const since = new Date(alarm.since).toISOString();
  return {
    key: alarmKey(alarm),
    status: 'firing',
    labels: { terminal: alarm.terminal, code: alarm.code, severity: alarm.severity, category: alarm.category },
    annotations: {
      'summary.en': `Still silent: not heard from since ${since}`,
      'summary.zh-CN': `终端仍然失联：自 ${since} 起无消息`,
      reminder: 'true',
    },
    startsAt: alarm.since,
  };
}

/** The alert with its terminal's labels (merchant, region, carrier, tags, …) beside its own, which win a clash. */
export function withTerminalLabels(alert: NotifyAlert, terminalLabels: Readonly<Record<string, string>>): NotifyAlert {
  return { ...alert, labels: { ...terminalLabels, ...alert.labels } };
}

export interface FeedOptions {
  clock: { now(): number };
  /** The terminal's labels as operators set them (store.alarms.labelsOf). */
  labelsOf(terminal: string): Promise<Record<string, string>>;
  log: { warn(fields: object, msg: string): void };
}

/**
 * The notifier's feed in one place: the hub calls `stored` and `presence` with what it stores and
 * hears, and `alarm` with every alarm event, whose acknowledgement stops the alert's escalation (an
 * unack or a re-activation starts it again), and its reminder of a terminal still silent is sent on. Each alert gets its terminal's labels, so routes, group_by,
 * silences and the fleet correlation can name a region or a merchant; the lookups run one after another,
 * so the notifier hears everything in the order the hub did (a clear never overtakes its raise).
 */
export function notifierFeed(notifier: FedNotifier, o: FeedOptions) {
  let chain: Promise<void> = Promise.resolve();
  const inOrder = (step: () => Promise<void> | void) => {
    chain = chain.then(step).catch((err: unknown) => o.log.warn({ err: (err as Error).message }, 'notifier feed step failed'));
  };
  const labelled = (alert: NotifyAlert, tell: (alert: NotifyAlert) => void = (a) => notifier.alert(a)) =>
    inOrder(async () => {
      const labels = await o.labelsOf(alert.labels.terminal!).catch((err: unknown) => {
        // Told without them rather than not at all: a route on a label may then miss it, the root route not.
        o.log.warn({ terminal: alert.labels.terminal, err: (err as Error).message }, "terminal's labels not read: alert notified without them");
        return {};
      });
      tell(withTerminalLabels(alert, labels));
    });
  return {
    alarm(event: AlarmEvent): void {
      const key = alarmKey(event.alarm);
      if (event.type === 'ack') inOrder(() => notifier.acknowledged(key));
      else if (event.type === 'unack' || event.type === 'reactivated') inOrder(() => notifier.unacknowledged(key));
      // Somebody acknowledged it: they know, and are not reminded.
      else if (event.type === 'reminder' && !event.alarm.acknowledged) labelled(reminderOf(event.alarm), (a) => notifier.remind(a));
    },
    stored(row: StoredReport, meta: StoredMeta): void {
      const alert = alertOfReport(row, meta);
      if (alert) labelled(alert);
    },
    presence(event: PresenceEvent): void {
      labelled(alertOfPresence(event, o.clock.now()));
    },
    /** An alert of the hub's own making (a work order's SLA breach, a lost terminal online: workorders/), sent as it is. */
    notice(alert: NotifyAlert): void {
      labelled(alert);
    },
    /** Resolves once everything fed so far has reached the notifier (the hub's close). */
    drained: () => chain,
  };
}
