import { randomUUID } from 'node:crypto';
import type { ReportDraft, Severity } from 'posdiag-protocol';

/** A fault report draft that conforms to `faultReportSchema`; `padding` grows its evidence. */
export function faultDraft(options: { severity?: Severity; padding?: number; code?: string } = {}): ReportDraft {
  const at = new Date(Date.UTC(2026, 0, 1)).toISOString();
  return {
    v: 1,
    id: randomUUID(),
    terminal: 'T-0001',
    terminalInfo: { model: 'X990', serial: 'SN123' },
    createdAt: at,
    kind: 'fault',
    code: options.code ?? 'printer.paper_end',
    instance: null,
    category: 'io',
    severity: options.severity ?? 'major',
    state: 'raised',
    since: at,
    inhibitedBy: null,
    summary: { en: 'Printer out of paper', 'zh-CN': '打印机缺纸' },
    device: { kind: 'printer' },
    evidence: { 'printer.paper': 'end', ...padding(options.padding ?? 0) },
    remediation: [{ text: { en: 'Load paper', 'zh-CN': '装纸' }, automatic: false }],
    stepsTried: [],
    needsTechnician: false,
  };
}

/** About `bytes` of evidence, in values short enough for the schema (256 characters at most). */
function padding(bytes: number): Record<string, string> {
  const evidence: Record<string, string> = {};
  for (let i = 0; bytes > 0; i++, bytes -= 200) evidence[`pad.${i}`] = 'x'.repeat(Math.min(200, bytes));
  return evidence;
}

export function heartbeatDraft(): ReportDraft {
  return {
    v: 1,
    id: randomUUID(),
    terminal: 'T-0001',
    terminalInfo: { model: 'X990', serial: 'SN123' },
    createdAt: new Date(Date.UTC(2026, 0, 1)).toISOString(),
    kind: 'heartbeat',
    uptimeS: 1,
    openFaults: [],
    outbox: { pending: 0, droppedSeqs: [], storage: 'disk' },
  };
}
