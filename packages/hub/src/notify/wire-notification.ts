import { categorySchema, LOCALES, severitySchema, type Category, type LocalizedText, type Severity } from 'posdiag-protocol';
import type { GroupNotice, Labels, NotifyAlert } from './group-notice.js';
import type { AlertLabels, Notification, NotificationAlert } from './receivers/notification.js';

/**
 * The one adapter from the dispatcher's routing view (GroupNotice: keys, string labels) to the
 * receivers' wire type (Notification), which is what the delivery queue stores and sends.
 *
 * An alert's summary, in every locale, is taken from its annotations `summary.en` and `summary.zh-CN`
 * (the feed copies the fault report's), else from `summaryOf(code)` (the hub's own codes, such as
 * `terminal.silent`), else from its plain `summary` annotation (a fleet incident's) or its code.
 * The labels a receiver needs are always there: an alert without a terminal (a fleet incident) shows
 * its key instead, one without a known severity or category shows `major` / `network`.
 */
export interface WireOptions {
  /** The console's base address; '' until the console exists. */
  externalURL: string;
  summaryOf(code: string): LocalizedText | undefined;
}

export function toWireNotification(notice: GroupNotice, options: WireOptions): Notification {
  return {
    receiver: notice.receiver,
    status: notice.status,
    groupKey: notice.groupKey,
    groupLabels: notice.groupLabels,
    commonLabels: notice.commonLabels,
    externalURL: options.externalURL,
    alerts: notice.alerts.map((a) => wireAlert(a, options)),
  };
}

function wireAlert(a: NotifyAlert, options: WireOptions): NotificationAlert {
  const code = a.labels.code ?? a.key;
  return {
    status: a.status,
    labels: wireLabels(a.key, code, a.labels),
    annotations: {
      summary: localizedSummary(a.annotations) ?? options.summaryOf(code) ?? sameInEvery(a.annotations.summary ?? code),
      ...(a.annotations.needsTechnician !== undefined ? { needsTechnician: a.annotations.needsTechnician === 'true' } : {}),
    },
    startsAt: a.startsAt,
    endsAt: a.status === 'resolved' ? (a.endsAt ?? null) : null,
    generatorURL: '',
    fingerprint: a.key,
  };
}

function wireLabels(key: string, code: string, labels: Labels): AlertLabels {
  const severity = severitySchema.safeParse(labels.severity);
  const category = categorySchema.safeParse(labels.category);
  return {
    ...labels,
    terminal: labels.terminal ?? key,
    code,
    severity: severity.success ? severity.data : ('major' satisfies Severity),
    category: category.success ? category.data : ('network' satisfies Category),
  };
}

function localizedSummary(annotations: Labels): LocalizedText | undefined {
  const texts = LOCALES.map((l) => annotations[`summary.${l}`]);
  if (texts.some((t) => t === undefined)) return undefined;
  return Object.fromEntries(LOCALES.map((l, i) => [l, texts[i]!])) as LocalizedText;
}

function sameInEvery(text: string): LocalizedText {
  return Object.fromEntries(LOCALES.map((l) => [l, text])) as LocalizedText;
}
