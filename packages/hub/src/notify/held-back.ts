import { LOCALES, severitySchema, type LocalizedText, type Severity } from 'posdiag-protocol';
import type { Notification } from './receivers/notification.js';
import { renderNotification } from './receivers/templates.js';

/**
 * The one notification that stands for those a receiver's rate limit held back in a minute: one alert
 * (code `notify.held_back`) whose summary counts them and gives each one's title, most severe first
 * as they came, so the person reading it knows what to look up in the console.
 */
export const HELD_BACK_CODE = 'notify.held_back';

export function heldBackSummary(receiver: string, held: readonly Notification[], now: number): Notification {
  const titles = (locale: (typeof LOCALES)[number]) => held.map((n) => renderNotification(n, locale, 'plain').title).join('; ');
  const summary: LocalizedText = {
    en: `${held.length} more notifications held back: ${titles('en')}`,
    'zh-CN': `另有 ${held.length} 条通知被暂缓：${titles('zh-CN')}`,
  };
  const firing = held.some((n) => n.status === 'firing');
  return {
    receiver,
    status: firing ? 'firing' : 'resolved',
    groupKey: `${receiver}/${HELD_BACK_CODE}`,
    groupLabels: {},
    commonLabels: {},
    externalURL: held[0]?.externalURL ?? '',
    alerts: [
      {
        status: firing ? 'firing' : 'resolved',
        labels: { terminal: 'posdiag-hub', code: HELD_BACK_CODE, severity: mostSevere(held), category: 'software' },
        annotations: { summary },
        startsAt: now,
        endsAt: firing ? null : now,
        generatorURL: '',
        fingerprint: `${receiver}/${HELD_BACK_CODE}/${now}`,
      },
    ],
  };
}

function mostSevere(held: readonly Notification[]): Severity {
  const order = severitySchema.options;
  let best = order.length - 1;
  for (const n of held) for (const a of n.alerts) if (order.includes(a.labels.severity)) best = Math.min(best, order.indexOf(a.labels.severity));
  return order[best]!;
}
