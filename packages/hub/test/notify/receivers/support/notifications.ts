import type { Notification, NotificationAlert } from '../../../../src/notify/receivers/index.js';

/** Notifications as the dispatcher will build them: one group of paper-end alarms on two terminals. */

export const ONSET = Date.UTC(2026, 0, 1, 8, 0, 0);
export const SENT_AT = ONSET + 30_000;

export function paperEnd(terminal: string, overrides: Partial<NotificationAlert> = {}): NotificationAlert {
  return {
    status: 'firing',
    labels: { terminal, code: 'printer.paper_end', severity: 'major', category: 'hardware', region: 'east' },
    annotations: { summary: { en: 'The printer is out of paper', 'zh-CN': '打印机缺纸' }, needsTechnician: false },
    startsAt: ONSET,
    endsAt: null,
    generatorURL: `https://console.test/alarms/${terminal}`,
    fingerprint: `fp-${terminal}`,
    ...overrides,
  };
}

export function group(alerts: readonly NotificationAlert[], status: Notification['status'] = 'firing'): Notification {
  return {
    receiver: 'ops',
    status,
    groupKey: '{}:{code="printer.paper_end"}',
    groupLabels: { code: 'printer.paper_end' },
    commonLabels: { code: 'printer.paper_end', severity: 'major', category: 'hardware', region: 'east' },
    externalURL: 'https://console.test',
    alerts,
  };
}

export const firing = group([paperEnd('T-0001'), paperEnd('T-0002')]);

export const resolved = group(
  [paperEnd('T-0001', { status: 'resolved', endsAt: ONSET + 600_000 })],
  'resolved',
);
