import { randomUUID } from 'node:crypto';
import { scrubValue } from '../core/card-scrubber.js';
import { withoutMerchantHints } from '../self-test/merchant-hints.js';
import type { DeviceIdentity, Readings, ReadingSnapshot } from '../core/readings.js';
import type { TerminalIdentity } from '../core/terminal-identity.js';
import type { Catalog } from '../faults/catalog.js';
import type { CatalogEntry, FaultEvent } from '../faults/types.js';
import { PROTOCOL_VERSION } from 'posdiag-protocol';
import type { HeartbeatReport, ReportDraft, SelfTestResult } from 'posdiag-protocol';

/**
 * Turns engine output into report drafts (a report without its `seq`, which the outbox assigns).
 * Everything that came from a device passes through the card scrubber here, once, before it is recorded.
 */

export interface ReportContext {
  terminal: TerminalIdentity;
  /** ms epoch of `createdAt`. */
  now: number;
  /** Report id generator; a random UUID by default. */
  id?: () => string;
}

export type StepTried = Extract<ReportDraft, { kind: 'fault' }>['stepsTried'][number];

export interface FaultReportContext extends ReportContext {
  device: DeviceIdentity | null;
  stepsTried?: StepTried[];
  catalog: Catalog;
  /** Evidence for the repair request of a fault that needs a technician; without it the request has none. */
  repairEvidence?: RepairEvidence;
}

export interface RepairEvidence {
  /** The device's readings around the onset, e.g. `ReadingHistory.around(event.since, device)`. */
  readingsAround(onset: number, device: CatalogEntry['device']): ReadingSnapshot[];
  latestSelfTest(): SelfTestResult | null;
}

type RepairRequest = NonNullable<Extract<ReportDraft, { kind: 'fault' }>['repairRequest']>;

/** The schema's limit on a reading's string value. */
const MAX_READING_TEXT = 256;

function base(ctx: ReportContext) {
  const { id, model, serial, purchaseDate } = ctx.terminal;
  return {
    v: PROTOCOL_VERSION,
    id: (ctx.id ?? randomUUID)(),
    terminal: id,
    terminalInfo: purchaseDate === undefined ? { model, serial } : { model, serial, purchaseDate },
    createdAt: new Date(ctx.now).toISOString(),
  };
}

export function buildFaultReport(event: FaultEvent, ctx: FaultReportContext): ReportDraft {
  const entry = ctx.catalog.get(event.code);
  if (!entry) throw new Error(`no catalog entry for fault code ${event.code}`);
  return {
    ...base(ctx),
    kind: 'fault',
    code: event.code,
    instance: event.instance,
    category: event.category,
    severity: event.severity,
    state: event.state,
    since: new Date(event.since).toISOString(),
    inhibitedBy: event.inhibitedBy,
    summary: entry.summary,
    device: ctx.device ? scrubValue(ctx.device) : null,
    evidence: fitReadings(scrubValue(event.evidence)),
    remediation: entry.remediation,
    stepsTried: scrubValue(ctx.stepsTried ?? []),
    needsTechnician: entry.needsTechnician,
    ...(event.flapping ? { flapping: true } : {}),
    ...(needsRepairRequest(event, entry) ? { repairRequest: buildRepairRequest(event, entry, ctx) } : {}),
  };
}

/** A raised fault that needs a technician and that no other fault explains: the one to dispatch for. */
function needsRepairRequest(event: FaultEvent, entry: CatalogEntry): boolean {
  return entry.needsTechnician && event.state === 'raised' && event.inhibitedBy === null;
}

function buildRepairRequest(event: FaultEvent, entry: CatalogEntry, ctx: FaultReportContext): RepairRequest {
  const { model, serial, purchaseDate } = ctx.terminal;
  const where = event.instance === null ? '' : ` (${event.instance})`;
  const snapshots = ctx.repairEvidence?.readingsAround(event.since, entry.device) ?? [];
  const selfTest = ctx.repairEvidence?.latestSelfTest() ?? null;
  return {
    terminal: purchaseDate === undefined ? { model, serial } : { model, serial, purchaseDate },
    part: { device: entry.device, identity: ctx.device ? scrubValue(ctx.device) : null },
    symptoms: { en: entry.summary.en + where, 'zh-CN': entry.summary['zh-CN'] + where },
    stepsTried: scrubValue(ctx.stepsTried ?? []),
    technicianHints: (entry.technicianHints ?? []).slice(0, 10),
    evidence: {
      onset: new Date(event.since).toISOString(),
      readings: snapshots.slice(-20).map((s) => ({ at: new Date(s.at).toISOString(), readings: fitReadings(scrubValue(s.readings)) })),
      selfTest: selfTest ? fitSelfTest(scrubValue(selfTest)) : null,
    },
  };
}

export function buildSelfTestReport(result: SelfTestResult, ctx: ReportContext, commandId: string | null): ReportDraft {
  return { ...base(ctx), kind: 'self_test', commandId, result: fitSelfTest(scrubValue(result)) };
}

/** As sent: the readings cut to the schema's limits, the merchant's hints left on the terminal. */
function fitSelfTest(result: SelfTestResult): SelfTestResult {
  return { ...withoutMerchantHints(result), readings: fitReadings(result.readings) };
}

export function buildHeartbeatReport(
  status: Pick<HeartbeatReport, 'uptimeS' | 'openFaults' | 'outbox'>,
  ctx: ReportContext,
): ReportDraft {
  return { ...base(ctx), kind: 'heartbeat', uptimeS: status.uptimeS, openFaults: status.openFaults, outbox: status.outbox };
}

/** Long string readings (a raw status dump) are cut to what the wire schema admits, not dropped. */
function fitReadings(readings: Readings): Readings {
  const out: Readings = {};
  for (const [name, value] of Object.entries(readings)) {
    out[name] = typeof value === 'string' && value.length > MAX_READING_TEXT ? value.slice(0, MAX_READING_TEXT) : value;
  }
  return out;
}
