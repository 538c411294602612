import { z } from 'zod';
import type { Readings } from '../../core/readings.js';

/**
 * The payment app's health report (`app_health` on the control API) and the readings the agent
 * derives from the reports it kept: pure, time an argument.
 */
export const appHealthParams = z.strictObject({
  /** Payments stored offline (stored-and-forwarded), not yet sent to the acquirer. */
  safBacklog: z.number().int().min(0).max(1_000_000),
  /** When the oldest of them was taken; absent or null with an empty backlog. */
  safOldestAt: z.iso.datetime({ offset: true }).nullable().optional(),
  /** When the acquirer last approved an authorisation; null: none since the app started. */
  lastApprovedAt: z.iso.datetime({ offset: true }).nullable().optional(),
  /** Host errors by kind over the app's last minutes, e.g. `{"timeout": 5, "declined_by_host": 0}`. */
  hostErrors: z.record(z.string().regex(/^[a-z][a-z0-9_]{0,31}$/, 'a kind such as "timeout"'), z.number().int().min(0).max(1_000_000)).refine((r) => Object.keys(r).length <= 32, 'at most 32 kinds'),
  /** The app's crashes since the terminal started (its supervisor's count; a lower number is a new boot). */
  crashes: z.number().int().min(0).max(1_000_000),
  version: z.string().min(1).max(64),
});
export type AppHealthParams = z.infer<typeof appHealthParams>;

/**
 * Host error kinds that mean the acquirer could not be reached at all (no answer, no connection, no
 * TLS session). A declined authorisation, a format error, a host busy reply are answers: the host is there.
 */
export const UNREACHABLE_KINDS: ReadonlySet<string> = new Set(['timeout', 'connect_failed', 'connection_refused', 'connection_reset', 'no_route', 'unreachable', 'tls_error', 'tls_handshake']);

/** How far back backlog growth and crashes are counted. */
export const WINDOW_MS = 10 * 60_000;

interface Kept {
  at: number;
  report: AppHealthParams;
}

/** The reports the agent keeps (the window's, and the latest), and what follows from them. */
export class AppHealthHistory {
  private reports: Kept[] = [];
  /** Crashes counted from report to report, with when they were seen. */
  private crashesSeen: number[] = [];
  /** The latest report, whatever the window kept. */
  private latest: AppHealthParams | undefined;

  record(report: AppHealthParams, at: number): void {
    // The first report is the baseline: crashes before it (since boot, perhaps before an agent
    // restart) are not news. After it, a lower count is a new boot: every crash it reports is new.
    const previous = this.latest;
    if (previous) {
      const added = report.crashes >= previous.crashes ? report.crashes - previous.crashes : report.crashes;
      for (let i = 0; i < Math.min(added, 1_000); i++) this.crashesSeen.push(at);
    }
    this.latest = report;
    this.reports.push({ at, report });
    this.prune(at);
  }

  /** The readings at `now`; `since` is when the driver started (silence before the first report counts from then). */
  readings(now: number, since: number): Readings {
    this.prune(now);
    const latest = this.reports[this.reports.length - 1];
    const out: Readings = { 'payment.app_report_age_s': Math.round((now - (latest?.at ?? since)) / 1000) };
    if (!latest) return out;
    const r = latest.report;
    out['payment.app_version'] = r.version;
    out['payment.saf_backlog'] = r.safBacklog;
    const oldest = r.safOldestAt ? Date.parse(r.safOldestAt) : null;
    if (r.safBacklog > 0 && oldest !== null) out['payment.saf_oldest_age_s'] = Math.max(0, Math.round((now - oldest) / 1000));
    const lowest = Math.min(...this.reports.map((k) => k.report.safBacklog));
    out['payment.saf_backlog_growth'] = r.safBacklog - lowest;
    if (r.lastApprovedAt) out['payment.last_approved_age_s'] = Math.max(0, Math.round((now - Date.parse(r.lastApprovedAt)) / 1000));
    let unreachable = 0;
    let total = 0;
    for (const [kind, count] of Object.entries(r.hostErrors)) {
      out[`payment.host_errors.${kind}`] = count;
      total += count;
      if (UNREACHABLE_KINDS.has(kind)) unreachable += count;
    }
    out['payment.host_errors_total'] = total;
    out['payment.host_unreachable_errors'] = unreachable;
    out['payment.app_crashes'] = r.crashes;
    out['payment.app_crashes_recent'] = this.crashesSeen.length;
    return out;
  }

  /** Keeps the window's reports and always the latest one. */
  private prune(now: number): void {
    const oldest = now - WINDOW_MS;
    const keepFrom = this.reports.findIndex((k) => k.at > oldest);
    this.reports = keepFrom < 0 ? this.reports.slice(-1) : this.reports.slice(Math.min(keepFrom, this.reports.length - 1));
    this.crashesSeen = this.crashesSeen.filter((at) => at > oldest);
  }
}
