import { randomUUID } from 'node:crypto';
import {
  faultReportSchema,
  heartbeatReportSchema,
  PROTOCOL_VERSION,
  selfTestReportSchema,
  type FaultReport,
  type HeartbeatReport,
  type SelfTestReport,
} from 'posdiag-protocol';

/**
 * Valid reports for tests. Every call gets a fresh id; override any field. The result is checked
 * against the schema, so a test that means to send an invalid report breaks it after building.
 */
const base = () => ({
  v: PROTOCOL_VERSION,
  id: randomUUID(),
  seq: 1,
  terminal: 'T-0001',
  terminalInfo: { model: 'X990', serial: 'SN-TEST-0001' },
  createdAt: '2026-01-01T00:00:00.000Z',
});

export function makeFaultReport(overrides: Partial<FaultReport> = {}): FaultReport {
  return faultReportSchema.parse({
    ...base(),
    kind: 'fault',
    code: 'printer.paper_end',
    instance: null,
    category: 'io',
    severity: 'major',
    state: 'raised',
    since: '2026-01-01T00:00:00.000Z',
    inhibitedBy: null,
    summary: { en: 'Printer is out of paper', 'zh-CN': '打印机缺纸' },
    device: { kind: 'printer', model: 'TM-T20' },
    evidence: { 'printer.paper': 'end' },
    remediation: [{ text: { en: 'Load a new paper roll', 'zh-CN': '请装入新纸卷' }, automatic: false }],
    stepsTried: [],
    needsTechnician: false,
    ...overrides,
  });
}

export function makeHeartbeat(overrides: Partial<HeartbeatReport> = {}): HeartbeatReport {
  return heartbeatReportSchema.parse({
    ...base(),
    kind: 'heartbeat',
    uptimeS: 60,
    openFaults: [],
    outbox: { pending: 0, droppedSeqs: [], storage: 'disk' },
    ...overrides,
  });
}

/** A raised fault that needs a technician, with the repair request the agent fills in (issue 6). */
export function makeRepairFault(overrides: Partial<FaultReport> = {}, serial = 'SN-TEST-0001'): FaultReport {
  const since = overrides.since ?? '2026-01-01T00:00:00.000Z';
  return makeFaultReport({
    code: 'printer.head_failure',
    severity: 'critical',
    category: 'hardware',
    needsTechnician: true,
    terminalInfo: { model: 'X990', serial },
    repairRequest: {
      terminal: { model: 'X990', serial, purchaseDate: '2024-03-01' },
      part: { device: 'printer', identity: { kind: 'printer', model: 'TM-T20', serial: 'PR-1' } },
      symptoms: { en: 'The printer prints blank receipts', 'zh-CN': '打印机打出空白小票' },
      stepsTried: [{ action: 'printer.reset', at: since, ok: false }],
      technicianHints: [{ en: 'Replace the print head', 'zh-CN': '更换打印头' }],
      evidence: { onset: since, readings: [], selfTest: null },
    },
    ...overrides,
  });
}

/** A self-test report of `level` (full by default), passing unless `passed` is false, on the unit `serial`. */
export function makeSelfTestReport(overrides: { seq: number; terminal?: string; serial?: string; level?: 'quick' | 'full'; passed?: boolean }): SelfTestReport {
  const terminal = overrides.terminal ?? 'T-0001';
  const serial = overrides.serial ?? 'SN-TEST-0001';
  return selfTestReportSchema.parse({
    ...base(),
    seq: overrides.seq,
    terminal,
    terminalInfo: { model: 'X990', serial },
    kind: 'self_test',
    commandId: null,
    result: {
      level: overrides.level ?? 'full',
      startedAt: '2026-01-01T00:00:00.000Z',
      finishedAt: '2026-01-01T00:00:05.000Z',
      passed: overrides.passed ?? true,
      terminal: { id: terminal, model: 'X990', serial },
      checks: [{ device: 'printer', name: 'print', passed: overrides.passed ?? true, detail: 'test page' }],
      readings: {},
      faults: [],
    },
  });
}
