import { describe, expect, it } from 'vitest';
import { FAULT_CATALOG as catalog } from '../../src/devices/catalog.js';
import { catalogEntry as entryIn } from '../../src/faults/catalog.js';
import type { FaultEvent } from '../../src/faults/types.js';
import { buildFaultReport, buildHeartbeatReport, buildSelfTestReport } from '../../src/report/builder.js';
import { faultReportSchema, heartbeatReportSchema, reportSchema, selfTestReportSchema, selfTestResultSchema } from 'posdiag-protocol';
import type { ReportDraft, SelfTestResult } from 'posdiag-protocol';

/** The agent's catalog's entry of `code`. */
const catalogEntry = (code: string) => entryIn(catalog, code);

const NOW = Date.UTC(2026, 2, 1, 8, 30);
const terminal = { id: 'T-0001', model: 'X990', serial: 'SN123', purchaseDate: '2024-03-01' };
const ID = '0b6f0a9e-3c1b-4d7e-9f00-2a1d3c4b5e6f';

const event: FaultEvent = {
  code: 'printer.paper_end',
  instance: null,
  state: 'raised',
  category: 'io',
  severity: 'major',
  since: NOW - 5000,
  at: NOW,
  inhibitedBy: null,
  evidence: { 'printer.paper': 'end', 'printer.status_hex': '72', 'printer.note': 'last card 4111111111111111', 'printer.dump': 'x'.repeat(300) },
};

const withSeq = (draft: ReportDraft) => ({ ...draft, seq: 1 });

describe('report builder', () => {
  it('builds a schema-valid fault report from an event and the catalog', () => {
    const draft = buildFaultReport(event, {
      catalog,
      terminal,
      device: { kind: 'printer', vendor: 'EPSON', model: 'TM-T20', address: '/dev/ttyS1' },
      stepsTried: [{ action: 'reopen_port', at: new Date(NOW - 1000).toISOString(), ok: false, detail: 'EIO' }],
      id: () => ID,
      now: NOW,
    });
    faultReportSchema.parse(withSeq(draft));
    expect(reportSchema.safeParse(withSeq(draft)).success).toBe(true);
    expect(draft).toMatchObject({
      v: 1,
      id: ID,
      kind: 'fault',
      terminal: 'T-0001',
      terminalInfo: { model: 'X990', serial: 'SN123', purchaseDate: '2024-03-01' },
      createdAt: '2026-03-01T08:30:00.000Z',
      since: '2026-03-01T08:29:55.000Z',
      code: 'printer.paper_end',
      state: 'raised',
      summary: catalogEntry('printer.paper_end').summary,
      remediation: catalogEntry('printer.paper_end').remediation,
      needsTechnician: false,
    });
    if (draft.kind !== 'fault') throw new Error('not a fault');
    // Card data never leaves in evidence; over-long values are cut to the schema's limit.
    expect(draft.evidence['printer.note']).toBe('last card 411111******1111');
    expect(JSON.stringify(draft)).not.toContain('4111111111111111');
    expect(draft.evidence['printer.dump']).toHaveLength(256);
    expect(draft.evidence['printer.status_hex']).toBe('72');
  });

  it('gives every report a fresh UUID by default and handles a missing device and purchase date', () => {
    const ctx = { catalog, terminal: { id: 'T-2', model: 'm', serial: 's' }, device: null, now: NOW };
    const a = buildFaultReport({ ...event, state: 'cleared', instance: 'x', inhibitedBy: 'printer.disconnected' }, ctx);
    const b = buildFaultReport(event, ctx);
    expect(a.id).not.toBe(b.id);
    faultReportSchema.parse(withSeq(a));
    expect(a).toMatchObject({ device: null, stepsTried: [], terminalInfo: { model: 'm', serial: 's' }, inhibitedBy: 'printer.disconnected' });
    expect('purchaseDate' in a.terminalInfo).toBe(false);
  });

  it('refuses a code the catalog does not know', () => {
    expect(() => buildFaultReport({ ...event, code: 'printer.on_fire' }, { catalog, terminal, device: null, now: NOW })).toThrow(/printer\.on_fire/);
  });

  it('builds a schema-valid self-test report, scrubbed', () => {
    const result: SelfTestResult = {
      level: 'quick',
      startedAt: new Date(NOW).toISOString(),
      finishedAt: new Date(NOW + 800).toISOString(),
      passed: false,
      terminal: { id: 'T-0001', model: 'X990', serial: 'SN123' },
      checks: [{ device: 'cardReader', name: 'status', passed: false, detail: 'read 4111111111111111' }],
      readings: { 'printer.paper': 'end' },
      faults: [],
    };
    selfTestResultSchema.parse(result);
    const draft = buildSelfTestReport(result, { terminal, now: NOW + 900 }, 'cmd-7');
    selfTestReportSchema.parse(withSeq(draft));
    expect(draft).toMatchObject({ kind: 'self_test', commandId: 'cmd-7', result: { passed: false, readings: { 'printer.paper': 'end' } } });
    expect(JSON.stringify(draft)).not.toContain('4111111111111111');
    expect(buildSelfTestReport(result, { terminal, now: NOW }, null)).toMatchObject({ commandId: null });
  });

  it('builds a schema-valid heartbeat', () => {
    const draft = buildHeartbeatReport(
      { uptimeS: 3600, openFaults: ['printer.paper_end', 'network.link_down:eth0'], outbox: { pending: 2, droppedSeqs: [4, 5], storage: 'disk' } },
      { terminal, now: NOW },
    );
    heartbeatReportSchema.parse(withSeq(draft));
    expect(draft).toMatchObject({ kind: 'heartbeat', uptimeS: 3600, outbox: { droppedSeqs: [4, 5] } });
  });
});
