import { describe, expect, it } from 'vitest';
import { AppHealthHistory, appHealthParams, WINDOW_MS } from '../../../src/devices/payment-app/app-health.js';

const T0 = Date.UTC(2026, 11, 2, 9, 0, 0);
const report = (over: Partial<Parameters<AppHealthHistory['record']>[0]> = {}) => ({ safBacklog: 0, hostErrors: {}, crashes: 0, version: '4.2.1', ...over });

describe('app_health params', () => {
  it('take the contract\'s example and refuse what is not one', () => {
    const example = { safBacklog: 3, safOldestAt: '2026-12-02T09:12:00Z', lastApprovedAt: '2026-12-02T09:40:31.000+08:00', hostErrors: { timeout: 5, declined_by_host: 0 }, crashes: 0, version: '4.2.1' };
    expect(appHealthParams.parse(example)).toEqual(example);
    expect(appHealthParams.safeParse({ ...example, safBacklog: -1 }).success).toBe(false);
    expect(appHealthParams.safeParse({ ...example, hostErrors: { 'Not A Kind': 1 } }).success).toBe(false);
    expect(appHealthParams.safeParse({ ...example, pan: '4111111111111111' }).success).toBe(false);
    expect(appHealthParams.safeParse({ ...example, safOldestAt: 'yesterday' }).success).toBe(false);
  });
});

describe('the readings of the app\'s reports (time an argument)', () => {
  it('before any report: only the age since the driver started', () => {
    expect(new AppHealthHistory().readings(T0 + 200_000, T0)).toEqual({ 'payment.app_report_age_s': 200 });
  });

  it('backlog, its oldest age and growth over 10 minutes; approval age; host errors by kind and the unreachable ones', () => {
    const h = new AppHealthHistory();
    h.record(report({ safBacklog: 1, safOldestAt: new Date(T0 - 60_000).toISOString() }), T0);
    h.record(report({ safBacklog: 6, safOldestAt: new Date(T0 - 60_000).toISOString(), lastApprovedAt: new Date(T0 - 30_000).toISOString(), hostErrors: { timeout: 4, connection_refused: 1, declined_by_host: 2, dns: 0 } }), T0 + 60_000);
    expect(h.readings(T0 + 90_000, T0)).toEqual({
      'payment.app_report_age_s': 30,
      'payment.app_version': '4.2.1',
      'payment.saf_backlog': 6,
      'payment.saf_oldest_age_s': 150,
      'payment.saf_backlog_growth': 5,
      'payment.last_approved_age_s': 120,
      'payment.host_errors.timeout': 4,
      'payment.host_errors.connection_refused': 1,
      'payment.host_errors.declined_by_host': 2,
      'payment.host_errors.dns': 0,
      'payment.host_errors_total': 7,
      'payment.host_unreachable_errors': 5,
      'payment.app_crashes': 0,
      'payment.app_crashes_recent': 0,
    });
    // Past the window the growth is measured from the latest report alone.
    expect(h.readings(T0 + 60_000 + WINDOW_MS + 1, T0)['payment.saf_backlog_growth']).toBe(0);
  });

  it('crashes: the first report is the baseline, then counted from report to report, a lower count is a new boot, forgotten after 10 minutes', () => {
    const h = new AppHealthHistory();
    h.record(report({ crashes: 4 }), T0);
    expect(h.readings(T0, T0)['payment.app_crashes_recent']).toBe(0);
    h.record(report({ crashes: 6 }), T0 + 60_000);
    h.record(report({ crashes: 1 }), T0 + 120_000);
    expect(h.readings(T0 + 120_000, T0)['payment.app_crashes_recent']).toBe(3);
    expect(h.readings(T0 + WINDOW_MS + 60_001, T0)['payment.app_crashes_recent']).toBe(1);
  });
});
