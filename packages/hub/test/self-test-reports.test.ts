import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HubStore } from '../src/store/store.js';
import { insertOne, openTestStore } from './helpers/store.js';
import { PROTOCOL_VERSION, selfTestReportSchema, type SelfTestReport, type SelfTestResult } from 'posdiag-protocol';
import { makeFaultReport } from '../../../test/support/reports.js';

function selfTestReport(seq: number, testId: string, result: Partial<SelfTestResult>): SelfTestReport {
  return selfTestReportSchema.parse({
    v: PROTOCOL_VERSION,
    id: randomUUID(),
    seq,
    terminal: 'T-0001',
    terminalInfo: { model: 'X990', serial: 'SN-1' },
    createdAt: '2026-01-01T00:00:00.000Z',
    kind: 'self_test',
    commandId: null,
    result: {
      level: 'full',
      startedAt: '2026-01-01T00:00:00.000Z',
      finishedAt: `2026-01-01T00:00:0${seq}.000Z`,
      passed: true,
      terminal: { id: 'T-0001', model: 'X990', serial: 'SN-1' },
      checks: [],
      readings: {},
      faults: [],
      testId,
      ref: testId.slice(0, 8).toUpperCase(),
      ...result,
    },
  });
}

describe('hub: self-tests by reference, and the verification of open faults', () => {
  let store: HubStore;
  let dispose: () => Promise<void>;
  beforeAll(async () => {
    ({ store, dispose } = await openTestStore());
  });
  afterAll(() => dispose());
  const at = '2026-01-01T00:00:10.000Z';

  it('shows on each open fault the latest self-test after its raise that checked it', async () => {
    const verifying = (stillPresent: boolean) => ({ verification: [{ code: 'network.link_down', instance: 'eth0', stillPresent }] });
    await insertOne(store, selfTestReport(1, '11111111-aaaa-4bbb-8ccc-000000000001', verifying(false)), at); // before the raise: not evidence
    await insertOne(store, makeFaultReport({ seq: 2, code: 'network.link_down', instance: 'eth0', category: 'network', severity: 'critical' }), at);
    await insertOne(store, makeFaultReport({ seq: 3, code: 'printer.paper_end', instance: null }), at);
    expect((await store.openFaults())['T-0001']!.every((f) => f.verification === undefined)).toBe(true);

    await insertOne(store, selfTestReport(4, '22222222-aaaa-4bbb-8ccc-000000000002', { passed: false, ...verifying(true) }), at);
    const passing = selfTestReport(5, 'abcdef12-aaaa-4bbb-8ccc-000000000003', verifying(false));
    await insertOne(store, passing, at);
    await insertOne(store, selfTestReport(6, '33333333-aaaa-4bbb-8ccc-000000000004', { verification: [{ code: 'network.link_down', instance: 'wlan0', stillPresent: true }] }), at);

    const open = Object.fromEntries((await store.openFaults())['T-0001']!.map((f) => [f.code, f]));
    expect(open['network.link_down']!.verification).toEqual({ reportId: passing.id, ref: 'ABCDEF12', level: 'full', at: '2026-01-01T00:00:05.000Z', passed: true, stillPresent: false });
    expect(open['printer.paper_end']!.verification).toBeUndefined();
  });

  it('finds a self-test by the reference on its receipt, in either case', async () => {
    const found = (await store.reports({ ref: 'abcdef12' })).reports;
    expect(found.map((r) => r.kind === 'self_test' && r.result.testId)).toEqual(['abcdef12-aaaa-4bbb-8ccc-000000000003']);
    expect((await store.reports({ ref: 'FFFFFFFF' })).reports).toEqual([]);
  });
});
