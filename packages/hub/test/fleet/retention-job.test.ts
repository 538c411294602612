import { afterEach, describe, expect, it } from 'vitest';
import { RETENTION_EVERY_MS, RETENTION_FIRST_MS } from '../../src/fleet/retention.js';
import { startHub, type Hub } from '../../src/server.js';
import { openStore } from '../../src/store/open-store.js';
import type { HubStore } from '../../src/store/store.js';
import { FakeClock } from '../../../../test/support/fake-clock.js';
import { startTestHub, TEST_TOKENS } from '../../../../test/support/hub-harness.js';
import { recordingLogger, type LogEntry } from '../../../../test/support/recording-logger.js';
import { makeHeartbeat } from '../../../../test/support/reports.js';
import { createTestDatabase, TEST_BACKEND, type TestDatabase } from '../../../../test/support/test-db.js';
import { waitFor } from '../../../../test/support/wait-for.js';
import { insertOne } from '../helpers/store.js';

const DAY = 86_400_000;
const RETAIN = { maxAgeMs: 2 * DAY };
/** Few timers of other jobs fire while the clock is moved by hours. */
const QUIET = { leaseRenewMs: 30 * 60_000, silenceAfterMs: DAY };

/** The retention lines in `entries`, once there are `count` of them (each hub logs one per period: pruned or skipped). */
const retentionLines = (entries: LogEntry[], count: number) =>
  waitFor(() => {
    const lines = entries.filter((e) => e.msg?.startsWith('retention '));
    return lines.length >= count ? lines : undefined;
  }, `${count} retention log lines`);

describe('the retention job', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** A store of the test's own on the hub's database, to put reports there as if they had arrived long ago. */
  async function sideStore(db: string): Promise<HubStore> {
    const store = await openStore(db);
    cleanups.push(() => store.close());
    return store;
  }

  it('prunes soon after start and then once per period, on the hub\'s clock; nothing without --retain', async () => {
    const h = await startTestHub({ retain: RETAIN, ...QUIET });
    cleanups.push(() => h.cleanup());
    const store = await sideStore(h.db);
    const now = h.clock.now();
    const seqs = async () => (await store.reports()).reports.map((r) => r.seq);
    await insertOne(store, makeHeartbeat({ seq: 1 }), new Date(now - 3 * DAY).toISOString());
    await insertOne(store, makeHeartbeat({ seq: 2 }), new Date(now - 3_600_000).toISOString());

    await h.clock.advance(RETENTION_FIRST_MS - 1);
    expect(await seqs()).toEqual([1, 2]);
    await h.clock.advance(1);
    const [first] = await retentionLines(h.log.entries, 1);
    expect(first).toMatchObject({ level: 'info', msg: 'retention pruned', fields: { reports: 1, before: new Date(now + RETENTION_FIRST_MS - 2 * DAY).toISOString() } });
    expect(await seqs()).toEqual([2]);

    // Another day than seq 1's: this store would take that day's partition, which the hub dropped, for
    // still there (a hub only ever adds to the current day's).
    await insertOne(store, makeHeartbeat({ seq: 3 }), new Date(now - 4 * DAY).toISOString());
    await h.clock.advance(RETENTION_EVERY_MS);
    await retentionLines(h.log.entries, 2);
    expect(await seqs()).toEqual([2]);
  });

  it('keeps everything without a retention policy', async () => {
    const h = await startTestHub(QUIET);
    cleanups.push(() => h.cleanup());
    const store = await sideStore(h.db);
    await insertOne(store, makeHeartbeat({ seq: 1 }), new Date(h.clock.now() - 300 * DAY).toISOString());
    await h.clock.advance(RETENTION_FIRST_MS + RETENTION_EVERY_MS);
    expect((await store.reports()).reports.map((r) => r.seq)).toEqual([1]);
    expect(h.log.entries.filter((e) => e.msg?.startsWith('retention '))).toEqual([]);
  });

  it.runIf(TEST_BACKEND === 'postgres')('runs once per period for two hubs on one database, whichever comes first', async () => {
    const database: TestDatabase = await createTestDatabase();
    cleanups.push(() => database.drop());
    // A clock each, moved one after the other: the second hub's timer fires once the first hub's run is
    // over, its lock released, so only the claimed period keeps the second from pruning again.
    const hubs = [];
    for (const instance of ['hub-a', 'hub-b']) {
      const clock = new FakeClock(Date.UTC(2026, 0, 2, 3, 4, 5));
      const entries: LogEntry[] = [];
      const hub: Hub = await startHub({ host: '127.0.0.1', port: 0, db: database.db, tokens: TEST_TOKENS, clock, retain: RETAIN, ...QUIET, instance, log: recordingLogger(entries) });
      cleanups.push(() => hub.close());
      hubs.push({ clock, entries });
    }
    const [a, b] = hubs as [(typeof hubs)[number], (typeof hubs)[number]];
    const period = async (first: typeof a, second: typeof a, ms: number, lines: number) => {
      await first.clock.advance(ms);
      const ran = (await retentionLines(first.entries, lines)).at(-1)!.msg;
      await second.clock.advance(ms);
      return [ran, (await retentionLines(second.entries, lines)).at(-1)!.msg];
    };
    const SKIPPED = 'retention skipped: another hub ran it this period';
    expect(await period(a, b, RETENTION_FIRST_MS, 1)).toEqual(['retention pruned', SKIPPED]);
    expect(await period(b, a, RETENTION_EVERY_MS, 2)).toEqual(['retention pruned', SKIPPED]);
  });
});
