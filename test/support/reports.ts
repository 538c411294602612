import { randomUUID } from 'node:crypto';
import {
  faultReportSchema,
  heartbeatReportSchema,
  PROTOCOL_VERSION,
  type FaultReport,
  type HeartbeatReport,
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
