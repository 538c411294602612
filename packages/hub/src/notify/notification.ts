/**
 * What goes into the dispatcher and what comes out of it. Times are milliseconds since the epoch (the
 * Clock's unit); a receiver formats them as its wire wants (RFC 3339 in the webhook's v4 JSON).
 */
export type Labels = Readonly<Record<string, string>>;

export type AlertStatus = 'firing' | 'resolved';

/** One alarm as the dispatcher sees it: `key` is its identity (`terminal|code|instance`), labels route it. */
export interface NotifyAlert {
  key: string;
  status: AlertStatus;
  labels: Labels;
  annotations: Labels;
  startsAt: number;
  endsAt?: number;
}

/**
 * One message for one receiver, in Alertmanager's webhook terms: `status` is `firing` while any of
 * `alerts` fires; `groupLabels` are the route's group_by values, `commonLabels` those every alert shares.
 */
export interface Notification {
  receiver: string;
  status: AlertStatus;
  groupKey: string;
  groupLabels: Labels;
  commonLabels: Labels;
  commonAnnotations: Labels;
  alerts: NotifyAlert[];
  /** Set on a notice from an escalation stage: its position (1 = the route's first `escalate` entry). */
  escalationStage?: number;
}

export type NotifyCallback = (receiver: string, notification: Notification) => void;

/** Builds a Notification from the alerts it carries (the common labels and status follow from them). */
export function notificationOf(
  receiver: string,
  groupKey: string,
  groupLabels: Labels,
  alerts: NotifyAlert[],
  escalationStage?: number,
): Notification {
  const n: Notification = {
    receiver,
    status: alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    groupKey,
    groupLabels,
    commonLabels: common(alerts.map((a) => a.labels)),
    commonAnnotations: common(alerts.map((a) => a.annotations)),
    alerts,
  };
  if (escalationStage !== undefined) n.escalationStage = escalationStage;
  return n;
}

/** The order alerts go in a notice: by key, so a notice's content does not depend on arrival order. */
export function byKey(a: NotifyAlert, b: NotifyAlert): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

function common(sets: Labels[]): Labels {
  const [first, ...rest] = sets;
  if (!first) return {};
  return Object.fromEntries(Object.entries(first).filter(([k, v]) => rest.every((s) => s[k] === v)));
}
