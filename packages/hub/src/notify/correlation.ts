/**
 * Fleet-level correlation (the `correlate` rules of the routing file): when at least `min` terminals
 * sharing the values of `labels` (say region="north") raise one of `codes` within `window`, the cause is
 * the region's (a mobile cell, a power cut), not each terminal's: one incident alert goes out instead of
 * `min` per-terminal notices. Exactly what is held and when it is released:
 * - The bucket of a label value tracks every firing alert with a listed code and those labels (its
 *   members). Opening counts distinct terminals (label `terminal`, else the alert key) whose member alert
 *   reached the dispatcher within the last `window` of the hub's clock.
 * - On opening, every member is withdrawn from the aggregation groups that have not yet told it as
 *   firing; a member no group has told is held (never routed while the incident is open); one already
 *   told somewhere keeps going through its groups (its receivers know it fires and will hear it resolve).
 * - While open, every new member is held, and the incident alert (code `fleet.incident`, the bucket's
 *   label values, the most severe member severity at opening) is routed like any alert, its annotations
 *   listing the terminals; it groups, repeats, is silenced and escalates as any alert does.
 * - A held member that resolves is dropped: the incident's own resolution tells it.
 * - The incident resolves when fewer than `min` member terminals still fire; the members still held are
 *   then released and routed as ordinary alerts (already past group_wait, so their groups tell them at
 *   once), unless an incident of another rule still holds them.
 */
import { parseDuration, severitySchema } from 'posdiag-protocol';
import type { CorrelationConfig } from './config.js';
import { formatLabels } from './matchers.js';
import type { Labels, NotifyAlert } from './group-notice.js';

export const INCIDENT_CODE = 'fleet.incident';

export interface CorrelationOutcome {
  /** The dispatcher does not route the offered alert. */
  held: boolean;
  /** Incident alerts to route: opened, updated or resolved. */
  incidents: NotifyAlert[];
  /** Held members to route now as ordinary alerts: their incident resolved. */
  released: NotifyAlert[];
}

interface Member {
  alert: NotifyAlert;
  terminal: string;
  /** When the dispatcher first saw it firing. */
  at: number;
  held: boolean;
}

interface Bucket {
  rule: CorrelationConfig;
  windowMs: number;
  values: Labels;
  members: Map<string, Member>;
  incident: NotifyAlert | undefined;
}

export class Correlator {
  private readonly buckets = new Map<string, Bucket>();
  private readonly rules: { rule: CorrelationConfig; windowMs: number }[];

  /** `rules` are validated (config.ts): their windows parse. */
  constructor(rules: readonly CorrelationConfig[]) {
    this.rules = rules.map((rule) => ({ rule, windowMs: parseDuration(rule.window) }));
  }

  /**
   * Offers an alert before routing. `withdraw(key)` takes it back from the groups that have not told it
   * and says whether none has (then it can be held).
   */
  offer(alert: NotifyAlert, now: number, withdraw: (key: string) => boolean): CorrelationOutcome {
    const outcome: CorrelationOutcome = { held: false, incidents: [], released: [] };
    this.rules.forEach(({ rule, windowMs }, i) => {
      const values = valuesOf(rule, alert.labels);
      if (!values) return;
      const id = `${i}:${formatLabels(values)}`;
      let bucket = this.buckets.get(id);
      if (!bucket) {
        if (alert.status === 'resolved') return;
        bucket = { rule, windowMs, values, members: new Map(), incident: undefined };
        this.buckets.set(id, bucket);
      }
      if (alert.status === 'firing') this.fired(bucket, alert, now, withdraw, outcome);
      else this.resolved(bucket, alert, now, outcome);
      if (!bucket.incident && bucket.members.size === 0) this.buckets.delete(id);
    });
    return outcome;
  }

  private fired(bucket: Bucket, alert: NotifyAlert, now: number, withdraw: (key: string) => boolean, out: CorrelationOutcome): void {
    const known = bucket.members.get(alert.key);
    const member: Member = known ?? { alert, terminal: alert.labels.terminal ?? alert.key, at: now, held: false };
    member.alert = alert;
    bucket.members.set(alert.key, member);
    if (bucket.incident) {
      if (!known) {
        member.held = withdraw(alert.key);
        out.incidents.push(this.incidentOf(bucket, bucket.incident.startsAt, bucket.incident.labels));
      }
    } else if (terminals(bucket, (m) => m.at >= now - bucket.windowMs) >= bucket.rule.min) {
      for (const m of bucket.members.values()) m.held = withdraw(m.alert.key);
      out.incidents.push(this.incidentOf(bucket, now));
    }
    out.held ||= member.held;
  }

  private resolved(bucket: Bucket, alert: NotifyAlert, now: number, out: CorrelationOutcome): void {
    const member = bucket.members.get(alert.key);
    if (!member) return;
    bucket.members.delete(alert.key);
    out.held ||= member.held;
    const incident = bucket.incident;
    if (!incident) return;
    if (terminals(bucket, () => true) >= bucket.rule.min) {
      out.incidents.push(this.incidentOf(bucket, incident.startsAt, incident.labels));
      return;
    }
    bucket.incident = undefined;
    out.incidents.push({ ...incident, status: 'resolved', endsAt: now });
    for (const m of bucket.members.values()) {
      if (!m.held) continue;
      m.held = false;
      if (!this.heldElsewhere(m.alert.key)) out.released.push(m.alert);
    }
  }

  private heldElsewhere(key: string): boolean {
    for (const b of this.buckets.values()) if (b.members.get(key)?.held) return true;
    return false;
  }

  /** The incident alert of a bucket; its labels are fixed at opening so it never changes route. */
  private incidentOf(bucket: Bucket, startsAt: number, labels?: Labels): NotifyAlert {
    const members = [...bucket.members.values()];
    const names = [...new Set(members.map((m) => m.terminal))].sort();
    const codes = [...new Set(members.map((m) => m.alert.labels.code!))].sort();
    const incident: NotifyAlert = {
      key: `fleet|${INCIDENT_CODE}|${formatLabels(bucket.values)}`,
      status: 'firing',
      labels: labels ?? { ...bucket.values, code: INCIDENT_CODE, severity: mostSevere(members.map((m) => m.alert.labels.severity)) },
      annotations: {
        summary: `${names.length} terminals with ${formatLabels(bucket.values)}: ${codes.join(', ')}`,
        terminals: names.join(', '),
      },
      startsAt,
    };
    bucket.incident = incident;
    return incident;
  }
}

/** The rule's label values of an alert it applies to (a listed code, every label present), else undefined. */
function valuesOf(rule: CorrelationConfig, labels: Labels): Labels | undefined {
  if (labels.code === undefined || !rule.codes.includes(labels.code)) return undefined;
  const values: Record<string, string> = {};
  for (const name of rule.labels) {
    const v = labels[name];
    if (v === undefined) return undefined;
    values[name] = v;
  }
  return values;
}

function terminals(bucket: Bucket, counted: (m: Member) => boolean): number {
  return new Set([...bucket.members.values()].filter(counted).map((m) => m.terminal)).size;
}

function mostSevere(severities: (string | undefined)[]): string {
  const order: readonly string[] = severitySchema.options;
  const known = severities.filter((s): s is string => s !== undefined && order.includes(s));
  return known.sort((a, b) => order.indexOf(a) - order.indexOf(b))[0] ?? 'major';
}
