import type { Locale } from 'posdiag-protocol';
import { requireHttpUrl, requireText, requireTimeout } from './config-checks.js';
import { httpStatusFailure, postJson } from './http-post.js';
import { DEFAULT_SEND_TIMEOUT_MS, delivered, type Notification, type NotificationAlert, receiver, type Receiver, type ReceiverOptions } from './notification.js';
import { webhookSignature } from './signatures.js';

/**
 * The generic webhook: Alertmanager's webhook JSON, version 4
 * (prometheus.io/docs/alerting/latest/configuration/#webhook_config), so tools written for
 * Alertmanager consume it unchanged, signed with `X-Posdiag-Signature` (signatures.ts). Annotations
 * are strings there, so the summary is the receiver's locale's and needsTechnician "true".
 */

export interface WebhookConfig {
  readonly url: string;
  readonly secret: string;
}

export const SIGNATURE_HEADER = 'x-posdiag-signature';

/** Alertmanager's "zero" time, which it sends as endsAt of an alert still firing. */
const NO_END = '0001-01-01T00:00:00Z';

export function webhookReceiver(name: string, config: WebhookConfig, options: ReceiverOptions): Receiver {
  const url = requireHttpUrl(name, 'webhook.url', config.url);
  const secret = requireText(name, 'webhook.secret', config.secret);
  const timeoutMs = requireTimeout(name, options.timeoutMs, DEFAULT_SEND_TIMEOUT_MS);
  return receiver(name, 'webhook', async (n, now) => {
    const body = JSON.stringify(alertmanagerPayload(n, options.locale));
    const signature = webhookSignature(secret, Math.floor(now / 1000), body);
    const outcome = await postJson(url, body, { [SIGNATURE_HEADER]: signature }, timeoutMs);
    if (outcome.kind === 'failed') return outcome.result;
    return httpStatusFailure(outcome.status, outcome.text) ?? delivered(`HTTP ${outcome.status}`);
  });
}

export function alertmanagerPayload(n: Notification, locale: Locale) {
  const alerts = n.alerts.map((a) => ({
    status: a.status,
    labels: { ...a.labels },
    annotations: annotationStrings(a, locale),
    startsAt: new Date(a.startsAt).toISOString(),
    endsAt: a.endsAt === null ? NO_END : new Date(a.endsAt).toISOString(),
    generatorURL: a.generatorURL,
    fingerprint: a.fingerprint,
  }));
  return {
    version: '4',
    groupKey: n.groupKey,
    truncatedAlerts: 0,
    status: n.status,
    receiver: n.receiver,
    groupLabels: { ...n.groupLabels },
    commonLabels: { ...n.commonLabels },
    commonAnnotations: common(alerts.map((a) => a.annotations)),
    externalURL: n.externalURL,
    alerts,
  };
}

function annotationStrings(a: NotificationAlert, locale: Locale): Record<string, string> {
  const out: Record<string, string> = { summary: a.annotations.summary[locale] };
  if (a.annotations.needsTechnician !== undefined) out.needsTechnician = String(a.annotations.needsTechnician);
  return out;
}

/** The pairs every map shares, as Alertmanager computes commonLabels and commonAnnotations. */
function common(maps: readonly Record<string, string>[]): Record<string, string> {
  const [first, ...rest] = maps;
  if (!first) return {};
  return Object.fromEntries(Object.entries(first).filter(([k, v]) => rest.every((m) => m[k] === v)));
}
