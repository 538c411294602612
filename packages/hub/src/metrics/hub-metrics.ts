import { severitySchema, type Clock } from 'posdiag-protocol';
import type { Logger } from '../logger.js';
import type { CommitObservation } from '../store/group-commit.js';
import type { AttemptOutcome, OpenAlarmCount, OpenFault } from '../store/store.js';
import { registerProcessMetrics } from './process-metrics.js';
import { MetricsRegistry } from './registry.js';
import { scrapeCache } from './scrape-cache.js';

/** Open faults and alarms are read from the store at most this often (ms): one query per scrape, none for a scrape storm. */
export const OPEN_FAULTS_CACHE_MS = 5_000;
export const COMMIT_SECONDS_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
/** Up to the group commit's MAX_BATCH. */
export const BATCH_SIZE_BUCKETS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];
const REPORT_KINDS = ['fault', 'self_test', 'heartbeat'] as const;

/** What the hub's metrics read at scrape time. */
export interface MetricSources {
  connectedTerminals(): number;
  sseSubscribers(): number;
  openFaults(): Promise<Record<string, OpenFault[]>>;
  /** Active alarms not closed, per (severity, code). */
  openAlarms(): Promise<OpenAlarmCount[]>;
  clock: Clock;
  log: Logger;
}

/**
 * The hub's own metrics (GET /metrics). Counted as things happen: reports by what their commit made
 * of them (GroupCommit's onCommit), API requests as they are answered, notification sends by receiver
 * (the delivery worker's onSettled); read at scrape: connections, alert stream subscribers, open faults
 * and open alarms (cached, OPEN_FAULTS_CACHE_MS), the process. Other parts of the
 * hub add their own metrics to `registry` (registry.ts).
 */
export class HubMetrics {
  readonly registry = new MetricsRegistry();
  private readonly stopProcess: () => void;
  private readonly stored;
  private readonly refused;
  private readonly duplicates;
  private readonly batchSize;
  private readonly commitSeconds;
  private readonly requests;
  private readonly delivered;
  private readonly deliveryFailures;
  private readonly openFaultCounts: () => Promise<Map<string, number>>;
  private readonly openAlarmCounts: () => Promise<OpenAlarmCount[]>;

  constructor(sources: MetricSources) {
    const r = this.registry;
    const connected = r.gauge({ name: 'posdiag_hub_connected_terminals', help: 'Terminals with an open agent connection to this hub.' });
    this.stored = r.counter({ name: 'posdiag_hub_reports_stored_total', help: 'Reports stored (new, not duplicates), by kind.', labelNames: ['kind'] });
    this.refused = r.counter({
      name: 'posdiag_hub_reports_refused_total',
      help: 'Reports the store refused: retryable (the commit failed; the agent sends it again) or final (its id is held by another report).',
      labelNames: ['reason'],
    });
    this.duplicates = r.counter({ name: 'posdiag_hub_reports_duplicate_total', help: 'Reports received again that were stored already (acked as duplicates).' });
    this.batchSize = r.histogram({ name: 'posdiag_hub_commit_batch_size', help: 'Reports per group commit transaction.', buckets: BATCH_SIZE_BUCKETS });
    this.commitSeconds = r.histogram({ name: 'posdiag_hub_commit_duration_seconds', help: 'How long a group commit transaction took, failed ones too, in seconds.', buckets: COMMIT_SECONDS_BUCKETS });
    const faults = r.gauge({ name: 'posdiag_hub_open_faults', help: 'Faults raised and not cleared, on every terminal of the database, by severity.', labelNames: ['severity'] });
    this.requests = r.counter({ name: 'posdiag_hub_api_requests_total', help: 'HTTP API requests answered, by route class and status code.', labelNames: ['route', 'status'] });
    this.delivered = r.counter({ name: 'posdiag_hub_notifications_delivered_total', help: 'Notifications a receiver accepted, by receiver.', labelNames: ['receiver'] });
    this.deliveryFailures = r.counter({
      name: 'posdiag_hub_notification_failures_total',
      help: 'Notification sends that failed, by receiver and whether they are tried again (retry) or not (failed).',
      labelNames: ['receiver', 'outcome'],
    });
    const alarms = r.gauge({ name: 'posdiag_hub_open_alarms', help: 'Alarms active and not closed, on every terminal of the database, by severity and code.', labelNames: ['severity', 'code'] });
    this.openFaultCounts = scrapeCache(sources.clock, OPEN_FAULTS_CACHE_MS, () => sources.openFaults().then(countBySeverity));
    this.openAlarmCounts = scrapeCache(sources.clock, OPEN_FAULTS_CACHE_MS, () => sources.openAlarms());
    const sse = r.gauge({ name: 'posdiag_hub_sse_subscribers', help: 'Open GET /api/alerts event streams on this hub.' });
    this.stopProcess = registerProcessMetrics(r);
    for (const kind of REPORT_KINDS) this.stored.inc({ kind }, 0);
    for (const reason of ['retryable', 'final']) this.refused.inc({ reason }, 0);
    r.beforeExpose(async () => {
      connected.set({}, sources.connectedTerminals());
      sse.set({}, sources.sseSubscribers());
      faults.reset();
      const counts = await this.openFaultCounts().catch((err: unknown) => {
        // Said by leaving the series out: the rest of the metrics still matter when the database is down.
        sources.log.warn({ err: (err as Error).message }, 'metrics: open faults not read');
        return undefined;
      });
      if (counts) for (const [severity, n] of counts) faults.set({ severity }, n);
      alarms.reset();
      const open = await this.openAlarmCounts().catch((err: unknown) => {
        sources.log.warn({ err: (err as Error).message }, 'metrics: open alarms not read');
        return undefined;
      });
      for (const a of open ?? []) alarms.set({ severity: a.severity, code: a.code }, a.count);
    });
  }

  /** GroupCommit's onCommit: what one transaction made of its reports. */
  readonly commitObserved = (commit: CommitObservation): void => {
    this.batchSize.observe({}, commit.items.length);
    this.commitSeconds.observe({}, commit.seconds);
    if (!commit.outcomes) return this.refused.inc({ reason: 'retryable' }, commit.items.length);
    commit.outcomes.forEach((outcome, i) => {
      if (outcome.status === 'stored') this.stored.inc({ kind: commit.items[i]!.report.kind });
      else if (outcome.status === 'duplicate') this.duplicates.inc({});
      else this.refused.inc({ reason: 'final' });
    });
  };

  /** The delivery worker's onSettled: what became of one send (or of a delivery not sent). */
  readonly deliverySettled = (receiver: string, outcome: AttemptOutcome): void => {
    if (outcome === 'delivered') this.delivered.inc({ receiver });
    else if (outcome === 'retry' || outcome === 'failed') this.deliveryFailures.inc({ receiver, outcome });
  };

  apiRequest(route: string, status: number): void {
    this.requests.inc({ route, status: String(status) });
  }

  expose(): Promise<string> {
    return this.registry.expose();
  }

  close(): void {
    this.stopProcess();
  }
}

function countBySeverity(terminals: Record<string, OpenFault[]>): Map<string, number> {
  const bySeverity = new Map<string, number>(severitySchema.options.map((s) => [s, 0]));
  for (const faults of Object.values(terminals)) for (const f of faults) bySeverity.set(f.severity, (bySeverity.get(f.severity) ?? 0) + 1);
  return bySeverity;
}
