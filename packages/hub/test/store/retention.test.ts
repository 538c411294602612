import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Report } from 'posdiag-protocol';
import type { BundleInfo, CommandRecord, HubStore, ReportToStore } from '../../src/store/store.js';
import { makeFaultReport, makeHeartbeat } from '../../../../test/support/reports.js';
import { TEST_BACKEND } from '../../../../test/support/test-db.js';
import { waitFor } from '../../../../test/support/wait-for.js';
import { insertOne, openTestStore } from '../helpers/store.js';

const DAY = 86_400_000;
/** A cutoff at midnight UTC: where both backends draw the same line (PostgreSQL prunes whole days). */
const CUT = Date.UTC(2026, 0, 10);
const at = (ms: number) => new Date(ms).toISOString();

/** `count` heartbeats of T-0001 from seq `firstSeq`, arriving `received(i)`: built once, copied (no schema pass each). */
function heartbeats(count: number, firstSeq: number, received: (i: number) => number): ReportToStore[] {
  const template = makeHeartbeat();
  return Array.from({ length: count }, (_, i) => ({ report: { ...template, id: randomUUID(), seq: firstSeq + i }, receivedAt: at(received(i)) }));
}

async function insertAll(store: HubStore, items: ReportToStore[]): Promise<void> {
  for (let i = 0; i < items.length; i += 1000) await store.insertBatch(items.slice(i, i + 1000));
}

const seqs = async (store: HubStore) => (await store.reports()).reports.map((r) => r.seq);

describe('retention in the store (prune)', () => {
  let store: HubStore;
  let db: string;
  let dispose: () => Promise<void>;
  beforeEach(async () => {
    ({ store, db, dispose } = await openTestStore());
  });
  afterEach(() => dispose());

  it('removes the reports that arrived before the cutoff and keeps those at or after it; their ids are forgotten', async () => {
    const times = [CUT - 3 * DAY, CUT - DAY + 5 * 3_600_000, CUT - 1, CUT, CUT + 3_600_000, CUT + 2 * DAY];
    const reports: Report[] = [];
    for (const [i, ms] of times.entries()) {
      reports.push(makeHeartbeat({ seq: i + 1 }));
      await insertOne(store, reports[i]!, at(ms));
    }
    expect(await store.prune(CUT)).toEqual({ reports: 3, bundles: 0, commands: 0, events: 0, deliveries: 0, audit: 0, silences: 0 });
    expect(await seqs(store)).toEqual([4, 5, 6]);
    // A kept report is still deduplicated. A pruned one is forgotten: sent again it would be stored again
    // (an agent resends only unacked reports, never that old under a sane --retain); on PostgreSQL its
    // day partition, dropped, is made again.
    expect((await insertOne(store, reports[3]!, at(CUT))).status).toBe('duplicate');
    expect((await insertOne(store, reports[0]!, at(times[0]!))).status).toBe('stored');
    expect(await store.lastSeq('T-0001')).toBe(6);
  });

  it('removes deliveries settled before the cutoff with their attempts, audit entries and ended silences; waiting deliveries stay', async () => {
    const queue = async (createdAt: number, settle: 'delivered' | 'failed' | null) => {
      const id = (await store.deliveries.enqueue({ receiver: 'ops', alertKeys: [`T-0001|c${createdAt}|`], payload: '{}', createdAt, dueAt: createdAt }))!;
      if (settle) {
        await store.deliveries.claimDue('hub', createdAt, 60_000, 100);
        await store.deliveries.settle(id, 'hub', { at: createdAt, hub: 'hub', outcome: settle, detail: 'x' }, { state: settle, attempts: 1 });
      }
      return `T-0001|c${createdAt}|`;
    };
    const oldDelivered = await queue(CUT - DAY, 'delivered');
    const oldFailed = await queue(CUT - 2 * DAY, 'failed');
    const oldWaiting = await queue(CUT - 3 * DAY, null);
    const newDelivered = await queue(CUT + 1, 'delivered');
    for (const ms of [CUT - DAY, CUT - 1, CUT]) await store.operators.appendAudit({ at: ms, principal: 'otto', action: 'alarm.ack', target: '1', remote: null, outcome: 'ok', detail: null });
    for (const [startsAt, endsAt] of [[CUT - 2 * DAY, CUT - DAY], [CUT - DAY, CUT + DAY]] as const) {
      await store.silences.add({ matchers: { terminal: 'T-0001' }, startsAt, endsAt, createdBy: 'otto', comment: 'x' });
    }
    expect(await store.prune(CUT)).toMatchObject({ deliveries: 2, audit: 2, silences: 1 });
    expect(await store.deliveries.deliveriesFor(oldDelivered)).toEqual([]);
    expect(await store.deliveries.deliveriesFor(oldFailed)).toEqual([]);
    expect((await store.deliveries.deliveriesFor(oldWaiting)).map((d) => d.state)).toEqual(['pending']);
    expect((await store.deliveries.deliveriesFor(newDelivered)).map((d) => [d.state, d.attempts.length])).toEqual([['delivered', 1]]);
    expect((await store.operators.audit({ limit: 10 })).map((e) => e.at)).toEqual([CUT]);
    expect((await store.silences.list(0)).map((s) => s.endsAt)).toEqual([CUT + DAY]);
  });

  it('draws a cutoff within a day at that instant on SQLite; PostgreSQL keeps the whole day until all of it is older', async () => {
    await insertOne(store, makeHeartbeat({ seq: 1 }), at(CUT + 3_600_000));
    await insertOne(store, makeHeartbeat({ seq: 2 }), at(CUT + 13 * 3_600_000));
    const { reports } = await store.prune(CUT + 12 * 3_600_000);
    expect({ reports, kept: await seqs(store) }).toEqual(TEST_BACKEND === 'sqlite' ? { reports: 1, kept: [2] } : { reports: 0, kept: [1, 2] });
  });

  it('keeps the faults\' current state, presence and new commands; old commands go', async () => {
    const raise = makeFaultReport({ seq: 1, state: 'raised', code: 'printer.paper_end' });
    await insertOne(store, raise, at(CUT - 3 * DAY));
    await insertOne(store, makeFaultReport({ seq: 2, state: 'cleared', code: 'printer.paper_end' }), at(CUT - 2 * DAY));
    await insertOne(store, makeFaultReport({ seq: 3, state: 'raised', code: 'printer.cover_open' }), at(CUT - 2 * DAY));
    await store.holdTerminal('T-0001', 'hub-a', CUT - 2 * DAY, 30_000);
    const command = (id: string, postedAt: number): CommandRecord => ({
      id, terminal: 'T-0001', name: 'self_test', args: {}, state: 'succeeded', postedBy: 'hub-a', postedAt, sentBy: null, sentAt: null, finishedAt: null, detail: null,
    });
    await store.recordCommand(command('old', CUT - 1));
    await store.recordCommand(command('new', CUT));
    const presence = await store.presence();

    expect(await store.prune(CUT)).toEqual({ reports: 3, bundles: 0, commands: 1, events: 0, deliveries: 0, audit: 0, silences: 0 });
    expect(await seqs(store)).toEqual([]);
    expect(Object.values(await store.openFaults()).flat().map((f) => [f.code, f.seq])).toEqual([['printer.cover_open', 3]]);
    expect(await store.presence()).toEqual(presence);
    expect(await store.command('old')).toBeUndefined();
    expect(await store.command('new')).toEqual(command('new', CUT));
    // The cleared state outlives the reports: the old raise, sent again, is stored but cannot reopen the fault.
    const [again] = await store.insertBatch([{ report: raise, receivedAt: at(CUT) }]);
    expect(again).toMatchObject({ status: 'stored', fault: 'stale' });
    expect(Object.values(await store.openFaults()).flat().map((f) => f.code)).toEqual(['printer.cover_open']);
  });

  it('prunes bundles by age and then, oldest first, down to the size bound', async () => {
    const put = (id: string, ms: number, size: number) => {
      const info: BundleInfo = { id, terminal: 'T-0001', receivedAt: at(ms), size, sha256: '0'.repeat(64) };
      return store.putBundle(info, Buffer.alloc(size));
    };
    await put('b1', CUT - DAY, 100);
    await put('b2', CUT + 1000, 300);
    await put('b3', CUT + 2000, 300);
    await put('b4', CUT + 3000, 200);
    const ids = async () => (await store.listBundles()).map((b) => b.id);

    // b1 by age; then b4 + b3 = 500 fit in 600 and b2 would pass it.
    expect((await store.prune(CUT, 600)).bundles).toBe(2);
    expect(await ids()).toEqual(['b3', 'b4']);
    expect((await store.prune(0, 500)).bundles).toBe(0); // exactly at the bound: kept
    expect((await store.prune(0, 499)).bundles).toBe(1);
    expect(await ids()).toEqual(['b4']);
    expect((await store.getBundle('b4'))?.data.length).toBe(200);
  });

  it('claims a periodic job once per period, whoever asks', async () => {
    const HOUR = 3_600_000;
    expect(await store.claimRun('retention', CUT, HOUR)).toBe(true);
    expect(await store.claimRun('retention', CUT, HOUR)).toBe(false);
    expect(await store.claimRun('retention', CUT + HOUR - 1, HOUR)).toBe(false);
    expect(await store.claimRun('silence', CUT, HOUR)).toBe(true);
    expect(await store.claimRun('retention', CUT + HOUR, HOUR)).toBe(true);
  });

  it.runIf(TEST_BACKEND === 'sqlite')('SQLite: stores reports while a prune runs: it yields the event loop between batches', async () => {
    await insertAll(store, heartbeats(12_000, 1, (i) => CUT - DAY + i));
    const pruning = store.prune(CUT);
    let pruned = false;
    void pruning.then(() => (pruned = true));
    const fresh = heartbeats(20, 20_000, () => CUT + 1000);
    for (const item of fresh) expect((await store.insertBatch([item]))[0]!.status).toBe('stored');
    expect(pruned).toBe(false);
    expect((await pruning).reports).toBe(12_000);
    expect(await seqs(store)).toEqual(fresh.map((f) => f.report.seq));
  });

  it.runIf(TEST_BACKEND === 'postgres')('PostgreSQL: stores reports while a prune waits to drop a partition a reader still uses', async () => {
    await insertAll(store, heartbeats(12_000, 1, (i) => CUT - 3 * DAY + i * 10_000)); // 3 days' partitions
    await insertOne(store, makeHeartbeat({ seq: 19_999 }), at(CUT + 1000)); // today's partition exists
    const reader = new pg.Client({ connectionString: db });
    await reader.connect();
    try {
      await reader.query('BEGIN');
      await reader.query('SELECT count(*) FROM reports');
      const pruning = store.prune(CUT);
      let pruned = false;
      void pruning.then(() => (pruned = true));
      // The prune is waiting for the reader's transaction (a plain DROP would have queued an ACCESS
      // EXCLUSIVE lock on `reports` there, and every insert behind it).
      await waitFor(async () => {
        const { rows } = await reader.query("SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'");
        return rows.length > 0 ? true : undefined;
      }, 'the prune to wait for the reader');
      const fresh = heartbeats(20, 20_000, () => CUT + 2000);
      for (const item of fresh) expect((await store.insertBatch([item]))[0]!.status).toBe('stored');
      expect(pruned).toBe(false);
      await reader.query('COMMIT');
      expect((await pruning).reports).toBe(12_000);
      expect(await seqs(store)).toEqual([19_999, ...fresh.map((f) => f.report.seq)]);
    } finally {
      await reader.end();
    }
  });
});
