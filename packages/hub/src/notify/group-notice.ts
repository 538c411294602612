import type { AlertStatus } from './receivers/notification.js';

/**
 * What goes into the dispatcher and what comes out of it: the routing view (alert keys, labels and
 * annotations as plain strings). Times are milliseconds since the epoch (the Clock's unit). A notice
 * becomes the receivers' wire Notification in one place, wire-notification.ts.
 */
export type Labels = Readonly<Record<string, string>>;

export type { AlertStatus };

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
 * One notice for one receiver, in Alertmanager's webhook terms: `status` is `firing` while any of
 * `alerts` fires; `groupLabels` are the route's group_by values, `commonLabels` those every alert shares.
 */
export interface GroupNotice {
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

export type NotifyCallback = (receiver: string, notification: GroupNotice) => void;

/** Builds a GroupNotice from the alerts it carries (the common labels and status follow from them). */
export function groupNoticeOf(
  receiver: string,
  groupKey: string,
  groupLabels: Labels,
  alerts: NotifyAlert[],
  escalationStage?: number,
): GroupNotice {
  const n: GroupNotice = {
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
