import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HubStore } from '../../src/store/store.js';
import { makeFaultReport, makeHeartbeat } from '../../../../test/support/reports.js';
import { openTestStore } from '../helpers/store.js';

/** The console's report timeline (store.recentReports), the same on both backends. */
describe('store.recentReports', () => {
  let store: HubStore;
  let dispose: () => Promise<void>;
  beforeEach(async () => ({ store, dispose } = await openTestStore()));
  afterEach(() => dispose());

  it("pages one terminal's reports newest first, by kind when asked, and a page boundary loses none", async () => {
    const at = '2026-01-02T03:04:05.000Z';
    await store.insertBatch([
      ...[1, 2, 3, 4, 5].map((seq) => ({ report: seq % 2 ? makeHeartbeat({ seq }) : makeFaultReport({ seq }), receivedAt: at })),
      { report: makeHeartbeat({ terminal: 'T-0002', seq: 9 }), receivedAt: at },
    ]);
    const first = await store.recentReports('T-0001', { limit: 2 });
    expect(first.reports.map((r) => r.seq)).toEqual([5, 4]);
    expect(first.next).not.toBeNull();
    const second = await store.recentReports('T-0001', { limit: 2, before: first.next! });
    expect(second.reports.map((r) => r.seq)).toEqual([3, 2]);
    const last = await store.recentReports('T-0001', { limit: 2, before: second.next! });
    expect(last).toEqual({ reports: [expect.objectContaining({ seq: 1, receivedAt: at })], next: null });
    expect((await store.recentReports('T-0001', { kind: 'fault', limit: 10 })).reports.map((r) => [r.seq, r.kind])).toEqual([[4, 'fault'], [2, 'fault']]);
    expect(await store.recentReports('T-0009', { limit: 10 })).toEqual({ reports: [], next: null });
  });
});
