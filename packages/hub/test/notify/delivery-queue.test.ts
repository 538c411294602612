import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../../test/support/fake-clock.js';
import { createTestDatabase, TEST_BACKEND, type TestDatabase } from '../../../../test/support/test-db.js';
import { waitFor } from '../../../../test/support/wait-for.js';
import { silentLogger } from '../../src/logger.js';
import { DeliveryWorker, type DeliveryWorkerOptions } from '../../src/notify/delivery-worker.js';
import { dingtalkReceiver } from '../../src/notify/receivers/dingtalk.js';
import type { Notification } from '../../src/notify/receivers/index.js';
import { openStore } from '../../src/store/open-store.js';
import type { HubStore } from '../../src/store/store.js';
import { ok, startLoopbackReceiver, type Answer, type LoopbackReceiver } from './receivers/support/loopback-http.js';
import { group, paperEnd } from './receivers/support/notifications.js';
import { verifyDingtalkSign } from './receivers/support/verify-signatures.js';

const SECRET = 'SECdelivery-queue-test';
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function database(): Promise<TestDatabase> {
  const db = await createTestDatabase();
  cleanups.push(() => db.drop());
  return db;
}

async function open(db: TestDatabase): Promise<HubStore> {
  const store = await openStore(db.db);
  cleanups.push(() => store.close());
  return store;
}

/** A DingTalk robot on loopback that checks the sign at the fake clock's time and answers `reply` (n = 1, 2, …). */
async function robot(clock: FakeClock, reply: (n: number) => Answer = () => ok({ errcode: 0, errmsg: 'ok' })): Promise<LoopbackReceiver> {
  let n = 0;
  const server = await startLoopbackReceiver((req) => (verifyDingtalkSign(SECRET, req.url, clock.now()) ? reply(++n) : ok({ errcode: 310000, errmsg: 'sign not match' })), '/robot/send');
  cleanups.push(() => server.close());
  return server;
}

function worker(store: HubStore, server: LoopbackReceiver, clock: FakeClock, extra: Partial<DeliveryWorkerOptions> = {}): DeliveryWorker {
  const receivers = new Map([['dt', dingtalkReceiver('dt', { url: server.url, secret: SECRET }, { locale: 'en' })]]);
  const w = new DeliveryWorker({ store: store.deliveries, receivers, clock, log: silentLogger, holder: 'hub-a', random: () => 0.5, ...extra });
  cleanups.push(() => w.stop());
  return w;
}

const notice = (terminal: string): Notification => ({ ...group([paperEnd(terminal)]), receiver: 'dt' });
const keyOf = (terminal: string) => `${terminal}|printer.paper_end|`;

async function enqueue(store: HubStore, clock: FakeClock, terminal: string): Promise<number> {
  return (await store.deliveries.enqueue({ receiver: 'dt', alertKeys: [keyOf(terminal)], payload: JSON.stringify(notice(terminal)), createdAt: clock.now(), dueAt: clock.now() }))!;
}

const settledAs = async (store: HubStore, terminal: string, state: string) => {
  const records = await store.deliveries.deliveriesFor(keyOf(terminal));
  return records.some((r) => r.state === state) ? records : undefined;
};

describe('the delivery queue', () => {
  it('survives a hub restart: queued, store closed and reopened, then delivered once', async () => {
    const clock = new FakeClock();
    const db = await database();
    const first = await openStore(db.db);
    await enqueue(first, clock, 'T-0001');
    await first.close();

    const store = await open(db);
    const server = await robot(clock);
    worker(store, server, clock).kick();
    const [record] = await waitFor(() => settledAs(store, 'T-0001', 'delivered'), 'the delivery');
    expect(server.requests).toHaveLength(1);
    expect(JSON.parse(server.requests[0]!.body).markdown.title).toBe('[FIRING:1] printer.paper_end — T-0001');
    expect(record!.attempts).toEqual([{ at: clock.now(), hub: 'hub-a', outcome: 'delivered', detail: 'HTTP 200, DingTalk errcode 0' }]);
  });

  it('retries a retryable failure after the capped backoff with full jitter, then delivers', async () => {
    const clock = new FakeClock();
    const store = await open(await database());
    const server = await robot(clock, (n) => (n <= 2 ? { status: 503, body: 'busy' } : ok({ errcode: 0, errmsg: 'ok' })));
    await enqueue(store, clock, 'T-0001');
    const start = clock.now();
    worker(store, server, clock, { backoff: { initialMs: 1_000, maxMs: 1_500 } }).kick();
    const records = await waitFor(async () => {
      await clock.advance(100);
      return settledAs(store, 'T-0001', 'delivered');
    }, 'delivered on the third attempt');
    const attempts = records[0]!.attempts;
    expect(attempts.map((a) => [a.outcome, a.detail])).toEqual([
      ['retry', 'HTTP 503: busy'],
      ['retry', 'HTTP 503: busy'],
      ['delivered', 'HTTP 200, DingTalk errcode 0'],
    ]);
    expect(server.requests).toHaveLength(3);
    // random 0.5: half of 1 s, then half of 2 s capped at 1.5 s.
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(500);
    expect(attempts[2]!.at - attempts[1]!.at).toBeGreaterThanOrEqual(750);
    expect(attempts[0]!.at).toBeLessThan(start + 500);
  });

  it('a refusal that retrying cannot fix fails at once', async () => {
    const clock = new FakeClock();
    const store = await open(await database());
    const server = await robot(clock, () => ok({ errcode: 300001, errmsg: 'token is not exist' }));
    await enqueue(store, clock, 'T-0001');
    worker(store, server, clock).kick();
    const [record] = await waitFor(() => settledAs(store, 'T-0001', 'failed'), 'the failure');
    expect(record!.attempts.map((a) => a.outcome)).toEqual(['failed']);
    expect(server.requests).toHaveLength(1);
  });

  it('rate limit: 25 notifications in a minute are 20 sent and one summary of the other 5 when the window opens', async () => {
    const clock = new FakeClock();
    const store = await open(await database());
    const server = await robot(clock);
    const terminals = Array.from({ length: 25 }, (_, i) => `T-${String(i + 1).padStart(4, '0')}`);
    for (const t of terminals) await enqueue(store, clock, t);
    worker(store, server, clock).kick();
    await waitFor(() => settledAs(store, 'T-0025', 'held'), 'the 25th held back');
    expect(server.requests).toHaveLength(20);

    const summaryRecord = await waitFor(async () => {
      await clock.advance(10_000);
      const records = await store.deliveries.deliveriesFor(keyOf('T-0025'));
      return records.find((r) => r.state === 'delivered');
    }, 'the summary');
    expect(server.requests).toHaveLength(21);
    const text: string = JSON.parse(server.requests[20]!.body).markdown.text;
    expect(text).toContain('5 more notifications held back: [FIRING:1] printer.paper_end — T-0021; [FIRING:1] printer.paper_end — T-0022');
    expect(text).toContain('T-0025');
    // Each held one is logged: held back, then folded into the summary, which says it was delivered.
    for (const t of terminals.slice(20)) {
      const records = await store.deliveries.deliveriesFor(keyOf(t));
      expect(records.map((r) => [r.state, r.attempts.map((a) => a.outcome)])).toEqual([
        ['folded', ['held', 'folded']],
        ['delivered', ['delivered']],
      ]);
      expect(records[1]!.id).toBe(summaryRecord.id);
    }
  });

  it.runIf(TEST_BACKEND === 'postgres')('two hubs on one PostgreSQL database deliver each notification once', async () => {
    const clock = new FakeClock();
    const db = await database();
    const [a, b] = [await open(db), await open(db)];
    const server = await robot(clock);
    const terminals = Array.from({ length: 30 }, (_, i) => `T-${String(i + 1).padStart(4, '0')}`);
    for (const t of terminals) await enqueue(a, clock, t);
    const workers = [worker(a, server, clock, { holder: 'hub-a', perMinute: 100 }), worker(b, server, clock, { holder: 'hub-b', perMinute: 100 })];
    for (const w of workers) w.kick();
    await waitFor(async () => {
      for (const t of terminals) if (!(await settledAs(a, t, 'delivered'))) return undefined;
      return true;
    }, 'all delivered');
    const titles = server.requests.map((r) => JSON.parse(r.body).markdown.title as string).sort();
    expect(titles).toEqual(terminals.map((t) => `[FIRING:1] printer.paper_end — ${t}`));
    const hubs = new Set<string>();
    for (const t of terminals) for (const r of await a.deliveries.deliveriesFor(keyOf(t))) for (const at of r.attempts) hubs.add(at.hub);
    expect([...hubs].every((h) => h === 'hub-a' || h === 'hub-b')).toBe(true);
  });

  it.runIf(TEST_BACKEND === 'postgres')('two hubs on one database keep to one rate limit per receiver together: the overflow goes in a summary', async () => {
    const clock = new FakeClock();
    const db = await database();
    const [a, b] = [await open(db), await open(db)];
    const server = await robot(clock);
    const terminals = Array.from({ length: 12 }, (_, i) => `T-${String(i + 1).padStart(4, '0')}`);
    for (const t of terminals) await enqueue(a, clock, t);
    const workers = [worker(a, server, clock, { holder: 'hub-a', perMinute: 5 }), worker(b, server, clock, { holder: 'hub-b', perMinute: 5 })];
    for (const w of workers) w.kick();
    // Each hub alone would send 5 in the first minute: together they send 5, and hold the other 7.
    await waitFor(async () => {
      let settled = 0;
      for (const t of terminals) if ((await a.deliveries.deliveriesFor(keyOf(t)))[0]!.attempts.length > 0) settled++;
      return settled === terminals.length ? true : undefined;
    }, 'every delivery sent or held');
    expect(server.requests).toHaveLength(5);
    // Each hub folds what it claimed of the held ones: one summary per hub at most, each held one in one.
    const heldIn = (body: string) => Number(/(\d+) more notifications held back/.exec(body)?.[1] ?? 0);
    const summarized = () => server.requests.slice(5).reduce((n, r) => n + heldIn(r.body), 0);
    // The workers' rounds do real I/O between the fake clock's timers: the clock moves on in steps.
    await waitFor(async () => {
      await clock.advance(10_000);
      return summarized() === 7 ? true : undefined;
    }, 'the summaries of the held ones');
    expect(server.requests.length).toBeLessThanOrEqual(7);
    for (let step = 0; step < 6; step++) await clock.advance(10_000);
    expect(summarized()).toBe(7);
  });
});
