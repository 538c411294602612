import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GroupCommit } from '../../src/store/group-commit.js';
import type { HubStore, ReportToStore } from '../../src/store/store.js';
import { makeFaultReport, makeHeartbeat } from '../../../../test/support/reports.js';
import { openTestStore } from '../helpers/store.js';
import pg from 'pg';
import { TEST_BACKEND } from '../../../../test/support/test-db.js';

const AT = '2026-01-02T03:04:05.678Z';
const item = (report: ReportToStore['report']): ReportToStore => ({ report, receivedAt: AT });

/** One batch means what the same reports stored one at a time would: the store suite, on both backends. */
describe('a batch of reports in one transaction', () => {
  let store: HubStore;
  let dbUrl: string;
  let dispose: () => Promise<void>;
  beforeEach(async () => {
    ({ store, db: dbUrl, dispose } = await openTestStore());
  });
  afterEach(() => dispose());

  it('stores each id once: a repeat in the same batch is a duplicate, a reuse for another seq a conflict', async () => {
    const first = makeHeartbeat({ seq: 1 });
    const outcomes = await store.insertBatch([item(first), item(first), item({ ...first, seq: 2 }), item(makeHeartbeat({ seq: 2 }))]);
    expect(outcomes.map((o) => o.status)).toEqual(['stored', 'duplicate', 'conflict', 'stored']);
    expect(outcomes[2]).toEqual({ status: 'conflict', existing: { terminal: 'T-0001', seq: 1 } });
    expect((await store.reports()).reports.map((r) => r.seq)).toEqual([1, 2]);
    // And across batches.
    expect((await store.insertBatch([item(first)]))[0]).toEqual({ status: 'duplicate' });
  });

  it('tells gaps and reused seqs as if stored one by one, and keeps both reports of a reused seq', async () => {
    const outcomes = await store.insertBatch([item(makeHeartbeat({ seq: 1 })), item(makeHeartbeat({ seq: 4 })), item(makeHeartbeat({ seq: 4 })), item(makeHeartbeat({ terminal: 'T-0002', seq: 3 }))]);
    expect(outcomes.map((o) => (o.status === 'stored' ? [o.gap, o.seqReused] : o.status))).toEqual([
      [null, false],
      [{ from: 2, to: 3 }, false],
      [null, true],
      [{ from: 1, to: 2 }, false],
    ]);
    expect(await store.lastSeq('T-0001')).toBe(4);
    expect(await store.lastSeq('T-0002')).toBe(3);
    expect((await store.reports({ terminal: 'T-0001' })).reports.map((r) => r.seq)).toEqual([1, 4, 4]);
  });

  it('applies fault states by seq within a batch and across batches: an older one is stale', async () => {
    const raised = makeFaultReport({ seq: 5, code: 'printer.paper_end', state: 'raised' });
    const cleared = makeFaultReport({ seq: 6, code: 'printer.paper_end', state: 'cleared' });
    const staleRaise = makeFaultReport({ seq: 4, code: 'printer.paper_end', state: 'raised' });
    const outcomes = await store.insertBatch([item(raised), item(cleared), item(staleRaise)]);
    expect(outcomes.map((o) => o.status === 'stored' && o.fault)).toEqual(['applied', 'applied', 'stale']);
    expect(await store.openFaults()).toEqual({});
    const again = makeFaultReport({ seq: 7, code: 'printer.paper_end', state: 'raised' });
    expect((await store.insertBatch([item(again), item(makeFaultReport({ seq: 3, code: 'printer.paper_end', state: 'cleared' }))])).map((o) => o.status === 'stored' && o.fault)).toEqual(['applied', 'stale']);
    expect((await store.openFaults())['T-0001']!.map((f) => [f.code, f.seq, f.reportId])).toEqual([['printer.paper_end', 7, again.id]]);
  });

  it.runIf(TEST_BACKEND === 'postgres')('PostgreSQL: the day partition of a batch exists, and the next day\'s is made ahead', async () => {
    await store.insertBatch([item(makeHeartbeat({ seq: 1 }))]);
    const client = new pg.Client({ connectionString: dbUrl });
    await client.connect();
    const { rows } = await client.query<{ relname: string }>("SELECT relname FROM pg_class WHERE relname LIKE 'reports_2%' AND relkind = 'r' ORDER BY 1").finally(() => client.end());
    expect(rows.map((r) => r.relname)).toEqual(['reports_20260102', 'reports_20260103']);
  });

  it('group commit: reports handed in together share one transaction, each promise settles with its own outcome', async () => {
    const batches: number[] = [];
    const counting: HubStore = Object.create(store, { insertBatch: { value: (items: ReportToStore[]) => (batches.push(items.length), store.insertBatch(items)) } });
    const commits = new GroupCommit(counting);
    const reports = Array.from({ length: 50 }, (_, i) => makeHeartbeat({ id: randomUUID(), seq: i + 1 }));
    const outcomes = await Promise.all([...reports.map((r) => commits.insert(r, AT)), commits.insert(reports[0]!, AT)]);
    expect(batches).toEqual([51]);
    expect(outcomes.slice(0, 50).every((o) => o.status === 'stored')).toBe(true);
    expect(outcomes[50]).toEqual({ status: 'duplicate' });
    await commits.flushed();
  });

  it('group commit: a failed commit fails every report in it, and the next batch goes on', async () => {
    let fail = true;
    const flaky: HubStore = Object.create(store, {
      insertBatch: { value: (items: ReportToStore[]) => (fail ? ((fail = false), Promise.reject(new Error('disk full'))) : store.insertBatch(items)) },
    });
    const commits = new GroupCommit(flaky);
    const failed = await Promise.allSettled([commits.insert(makeHeartbeat({ seq: 1 }), AT), commits.insert(makeHeartbeat({ seq: 2 }), AT)]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect((await commits.insert(makeHeartbeat({ seq: 3 }), AT)).status).toBe('stored');
    expect((await store.reports()).reports.map((r) => r.seq)).toEqual([3]);
  });
});
