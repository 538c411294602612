import { describe, expect, it } from 'vitest';
import { ReadingHistory } from '../../src/rules/reading-history.js';
import { Monitor } from '../../src/rules/monitor.js';
import type { FaultEvent } from '../../src/faults/types.js';
import { buildFaultReport } from '../../src/report/builder.js';
import { faultReportSchema } from 'posdiag-protocol';
import type { SelfTestResult } from 'posdiag-protocol';
import { FAULT_CATALOG } from '../../src/devices/catalog.js';

const NOW = Date.UTC(2026, 2, 1, 8, 30);
const iso = (ms: number) => new Date(ms).toISOString();
const terminal = { id: 'T-0001', model: 'X990', serial: 'SN123', purchaseDate: '2024-03-01' };
const cutter: FaultEvent = {
  code: 'printer.cutter_error',
  instance: null,
  state: 'raised',
  category: 'hardware',
  severity: 'major',
  since: NOW - 20_000,
  at: NOW,
  inhibitedBy: null,
  evidence: { 'printer.cutter_error': true },
};
const selfTest: SelfTestResult = {
  level: 'quick',
  startedAt: iso(NOW - 60_000),
  finishedAt: iso(NOW - 59_000),
  passed: false,
  terminal: { id: 'T-0001', model: 'X990', serial: 'SN123' },
  checks: [{ device: 'printer', name: 'status', passed: false, detail: 'Printer paper cutter is jammed' }],
  readings: { 'printer.cutter_error': true, 'printer.note': 'card 4111111111111111' },
  faults: [],
};

/** A history fed the way the agent feeds it: through the Monitor, every 10 s. */
function historyOf(steps: number): ReadingHistory {
  const history = new ReadingHistory(8);
  const monitor = new Monitor({ evaluate: () => [] }, () => {}, history);
  for (let i = 0; i < steps; i++) {
    const at = NOW - (steps - 1 - i) * 10_000;
    monitor.observe('printer', { readings: { 'printer.connected': true, 'printer.cutter_error': at >= cutter.since } }, at);
    monitor.observe('battery', { readings: { 'battery.level_pct': 80 } }, at);
  }
  return history;
}

describe('repair request', () => {
  const stepsTried = [{ action: 'printer_recovery', at: iso(NOW - 10_000), ok: false, detail: 'cutter still jammed' }];

  it('is filled in for a raised fault that needs a technician, with the readings around the onset and the latest self-test', () => {
    const history = historyOf(6);
    const draft = buildFaultReport(cutter, {
      catalog: FAULT_CATALOG,
      terminal,
      device: { kind: 'printer', vendor: 'EPSON', model: 'TM-T20', serial: 'P-77' },
      stepsTried,
      now: NOW,
      repairEvidence: { readingsAround: (onset, device) => history.around(onset, device, 2), latestSelfTest: () => selfTest },
    });
    const report = faultReportSchema.parse({ ...draft, seq: 1 });
    const request = report.repairRequest!;
    expect(request.terminal).toEqual({ model: 'X990', serial: 'SN123', purchaseDate: '2024-03-01' });
    expect(request.part).toEqual({ device: 'printer', identity: { kind: 'printer', vendor: 'EPSON', model: 'TM-T20', serial: 'P-77' } });
    expect(request.symptoms.en).toBe('Printer paper cutter is jammed');
    expect(request.stepsTried).toEqual(stepsTried);
    expect(request.technicianHints.length).toBeGreaterThan(0);
    expect(request.evidence.onset).toBe(iso(cutter.since));
    // Two snapshots at or before the onset, two after; only the printer's readings (the battery's are left out).
    expect(request.evidence.readings.map((s) => [s.at, s.readings['printer.cutter_error']])).toEqual([
      [iso(NOW - 30_000), false],
      [iso(NOW - 20_000), true],
      [iso(NOW - 10_000), true],
      [iso(NOW), true],
    ]);
    expect(Object.keys(request.evidence.readings[0]!.readings).sort()).toEqual(['printer.connected', 'printer.cutter_error']);
    expect(request.evidence.selfTest?.readings['printer.note']).not.toContain('4111111111111111');
  });

  it('is absent on a cleared or inhibited fault and on one the merchant can fix; flapping travels as a flag', () => {
    const ctx = { catalog: FAULT_CATALOG, terminal, device: null, now: NOW };
    expect(buildFaultReport({ ...cutter, state: 'cleared' }, ctx)).not.toHaveProperty('repairRequest');
    expect(buildFaultReport({ ...cutter, inhibitedBy: 'printer.disconnected' }, ctx)).not.toHaveProperty('repairRequest');
    const paper = buildFaultReport({ ...cutter, code: 'printer.paper_end', category: 'io', flapping: true }, ctx);
    expect(paper).not.toHaveProperty('repairRequest');
    expect(faultReportSchema.parse({ ...paper, seq: 2 }).flapping).toBe(true);
    expect(buildFaultReport(cutter, ctx)).not.toHaveProperty('flapping');
    // Without evidence sources the request is still filled in, with what is known.
    expect(faultReportSchema.parse({ ...buildFaultReport(cutter, ctx), seq: 3 }).repairRequest?.evidence).toEqual({
      onset: iso(cutter.since),
      readings: [],
      selfTest: null,
    });
  });
});
