import { afterEach, describe, expect, it } from 'vitest';
import { startHub, type Hub } from '../../src/server.js';
import { startTestHub } from '../../../../test/support/hub-harness.js';
import { FakeClock } from '../../../../test/support/fake-clock.js';
import { recordingLogger, type RecordingLogger } from '../../../../test/support/recording-logger.js';
import { makeFaultReport } from '../../../../test/support/reports.js';
import { createTestDatabase, TEST_BACKEND } from '../../../../test/support/test-db.js';
import { waitFor } from '../../../../test/support/wait-for.js';
import { parseNotifyConfig } from '../../src/notify/config.js';
import { createOperators } from '../../src/operators/operators.js';
import { cliPrincipal } from '../../src/operators/principal.js';
import { openStore } from '../../src/store/open-store.js';
import { TestAgent } from '../helpers/hub-agent.js';
import { ok, startLoopbackReceiver, type LoopbackReceiver } from './receivers/support/loopback-http.js';

const ADMIN_TOKEN = 'api-token-file-secret';
/** Cheap scrypt for users made in tests; the hub checks whatever parameters a hash names. */
const FAST_SCRYPT = { N: 1024, r: 8, p: 1 };
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function webhook(): Promise<LoopbackReceiver> {
  const hook = await startLoopbackReceiver(() => ok({}));
  cleanups.push(() => hook.close());
  return hook;
}

const notifyTo = (url: string) =>
  parseNotifyConfig({ route: { receiver: 'ops', group_by: ['terminal'], group_wait: '30s', group_interval: '1m' }, receivers: [{ name: 'ops', webhook: { url, secret: 's' } }] });

async function post(url: string, body: unknown, token?: string) {
  const res = await fetch(url, { method: 'POST', body: JSON.stringify(body), ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}) });
  return { status: res.status, body: (await res.json()) as any };
}

async function raise(hubUrl: string, terminal: string, token: string, since: string) {
  const agent = await TestAgent.connect(hubUrl, terminal, token);
  cleanups.push(() => agent.close());
  await agent.next();
  expect((await agent.report(makeFaultReport({ seq: 1, since, terminal }))).type).toBe('ack');
}

describe('silences through the API', () => {
  it('a silence made by an operator mutes the terminal it names until it is expired; its maker is the principal; bad ones are refused', async () => {
    const hook = await webhook();
    const h = await startTestHub({ notify: notifyTo(hook.url), notifyLocale: 'en', apiToken: ADMIN_TOKEN });
    cleanups.push(() => h.cleanup());
    const store = await openStore(h.db);
    cleanups.push(() => store.close());
    const ops = createOperators(store.operators, h.clock, { scrypt: FAST_SCRYPT });
    await ops.users.add('vera', 'viewer', 'vera-password', cliPrincipal('root'));
    const veraToken = (await ops.users.issueToken('vera', 'test', cliPrincipal('root'))).token;
    const admin = (url: string, body: unknown) => post(url, body, ADMIN_TOKEN);
    const get = async (path: string) => (await fetch(`${h.api}${path}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json() as Promise<any>;
    const now = h.clock.now();

    const bad = await admin(`${h.api}/silences`, { matchers: {}, duration: '1h', comment: 'x' });
    expect(bad).toMatchObject({ status: 400, body: { error: 'bad silence: a silence needs at least one matcher (it would mute every alert)' } });
    expect(await admin(`${h.api}/silences`, { matchers: { terminal: 'T-0001' }, comment: 'x' })).toMatchObject({ status: 400, body: { error: expect.stringMatching(/endsAt or duration/) } });
    expect(await admin(`${h.api}/silences`, { matchers: { terminal: 'T-0001' }, duration: 'soon', comment: 'x' })).toMatchObject({ status: 400 });
    expect(await post(`${h.api}/silences`, { matchers: { terminal: 'T-0001' }, duration: '1h', comment: 'x' }, veraToken)).toMatchObject({ status: 403 });
    const made = await admin(`${h.api}/silences`, { matchers: { terminal: 'T-0001' }, duration: '2h', comment: 'printer being replaced' });
    expect(made).toMatchObject({
      status: 201,
      body: { matchers: { terminal: 'T-0001' }, startsAt: new Date(now).toISOString(), endsAt: new Date(now + 2 * 3_600_000).toISOString(), createdBy: 'api-token-file', comment: 'printer being replaced', state: 'active' },
    });

    await raise(h.hub.url, 'T-0001', 'token-one', new Date(now).toISOString());
    await raise(h.hub.url, 'T-0002', 'token-two', new Date(now).toISOString());
    await h.hub.notifierFed();
    await h.clock.advance(30_000);
    await waitFor(() => (hook.requests.length === 1 ? true : undefined), "T-0002's notice");
    for (let step = 0; step < 3; step++) await h.clock.advance(60_000);
    expect(hook.requests.map((r) => JSON.parse(r.body).groupLabels.terminal)).toEqual(['T-0002']);

    const id = made.body.id as string;
    expect(await admin(`${h.api}/silences/${id}/expire`, {})).toMatchObject({ status: 200, body: { id, state: 'expired' } });
    expect(await admin(`${h.api}/silences/999/expire`, {})).toMatchObject({ status: 404 });
    await waitFor(async () => {
      await h.clock.advance(60_000);
      return hook.requests.length === 2 ? true : undefined;
    }, "T-0001's notice once its silence is over");
    expect(JSON.parse(hook.requests[1]!.body).groupLabels.terminal).toBe('T-0001');

    const listed = await get('/silences?state=expired');
    expect(listed.silences.map((s: any) => [s.id, s.state])).toEqual([[id, 'expired']]);
    expect((await get('/silences?state=active')).silences).toEqual([]);
    const audit = await get('/audit?action=silence.create');
    expect(audit.entries.map((e: any) => [e.target, e.outcome])).toEqual([[id, 'ok'], [null, 'failed'], [null, 'failed'], [null, 'failed']]);
    expect((await get('/audit?user=vera')).entries.map((e: any) => [e.action, e.outcome])).toEqual([['POST /api/silences', 'denied']]);
    expect((await get('/audit?action=silence.expire')).entries.map((e: any) => [e.target, e.outcome])).toEqual([['999', 'failed'], [id, 'ok']]);
  }, 60_000);

  it.runIf(TEST_BACKEND === 'postgres')('a silence made on one hub mutes the notices of a terminal on another hub', async () => {
    const hook = await webhook();
    const database = await createTestDatabase();
    cleanups.push(() => database.drop());
    const clock = new FakeClock(Date.UTC(2026, 0, 2, 3, 4, 5));
    const logs: Record<string, RecordingLogger> = { a: recordingLogger(), b: recordingLogger() };
    const tokens = { 'T-0001': 'token-one' };
    const options = { host: '127.0.0.1', port: 0, db: database.db, tokens, clock, notify: notifyTo(hook.url), notifyLocale: 'en' as const };
    const a: Hub = await startHub({ ...options, instance: 'hub-a', log: logs.a! });
    cleanups.push(() => a.close());
    const b: Hub = await startHub({ ...options, instance: 'hub-b', log: logs.b! });
    cleanups.push(() => b.close());
    const made = await post(`http://127.0.0.1:${a.address.port}/api/silences`, { matchers: { terminal: 'T-0001' }, duration: '1h', comment: 'works' });
    expect(made.status).toBe(201);
    await waitFor(() => (logs.b!.entries.some((e) => e.msg === 'silences read' && (e.fields.silences as string[]).includes(made.body.id)) ? true : undefined), 'hub b read it');
    await raise(b.url, 'T-0001', 'token-one', new Date(clock.now()).toISOString());
    await b.notifierFed();
    for (let step = 0; step < 3; step++) await clock.advance(60_000);
    expect(hook.requests).toEqual([]);
  }, 60_000);
});
