import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE_REPLACED } from 'posdiag-protocol';
import { startHub, type Hub } from '../../src/server.js';
import { FakeClock } from '../../../../test/support/fake-clock.js';
import { recordingLogger } from '../../../../test/support/recording-logger.js';
import { makeFaultReport, makeHeartbeat } from '../../../../test/support/reports.js';
import { createTestDatabase, TEST_BACKEND, type TestDatabase } from '../../../../test/support/test-db.js';
import { waitFor } from '../../../../test/support/wait-for.js';
import { TestAgent } from '../helpers/hub-agent.js';
import { openStore } from '../../src/store/open-store.js';
import { QUEUED_COMMAND_TTL_MS } from '../../src/fleet/commands.js';
import { subscribe, type SseEvent } from '../helpers/sse-subscriber.js';

const TOKENS = { 'T-0001': 'token-one', 'T-0002': 'token-two', 'T-0003': 'token-three', 'T-0004': 'token-four' };
const SILENCE_MS = 10 * 60_000;

/**
 * Two hub processes' worth of hubs (two startHub, two instances) on one PostgreSQL database: what one
 * hub is told, the other answers; a terminal's lease moves with its connection. SQLite serves one
 * hub process, so this is the PostgreSQL run's.
 */
describe.runIf(TEST_BACKEND === 'postgres')('two hubs on one PostgreSQL database', () => {
  const clock = new FakeClock(Date.UTC(2026, 0, 2, 3, 4, 5));
  let database: TestDatabase;
  let a: Hub;
  let b: Hub;
  const api = (hub: Hub) => `http://127.0.0.1:${hub.address.port}/api`;
  const streams: { a: SseEvent[]; b: SseEvent[] } = { a: [], b: [] };
  const agents: TestAgent[] = [];
  const connect = async (hub: Hub, terminal: keyof typeof TOKENS) => {
    const agent = await TestAgent.connect(hub.url, terminal, TOKENS[terminal]);
    agents.push(agent);
    expect(await agent.next()).toMatchObject({ type: 'welcome' });
    return agent;
  };
  const terminals = async (hub: Hub) => (await (await fetch(`${api(hub)}/terminals`)).json()) as { id: string; connected: boolean; silent: boolean }[];

  beforeAll(async () => {
    database = await createTestDatabase();
    const options = { host: '127.0.0.1', port: 0, db: database.db, tokens: TOKENS, clock, silenceAfterMs: SILENCE_MS };
    a = await startHub({ ...options, instance: 'hub-a', log: recordingLogger() });
    b = await startHub({ ...options, instance: 'hub-b', log: recordingLogger() });
    streams.a = (await subscribe(`${api(a)}/alerts`)).events;
    streams.b = (await subscribe(`${api(b)}/alerts`)).events;
  });
  afterAll(async () => {
    for (const agent of agents) await agent.close().catch(() => {});
    await a?.close();
    await b?.close();
    await database?.drop();
  });

  it('shows an alert stored by one hub on both hubs\' streams, once each', async () => {
    const agent = await connect(b, 'T-0001');
    const fault = makeFaultReport({ seq: 1, code: 'printer.paper_end' });
    expect(await agent.report(fault)).toMatchObject({ type: 'ack', id: fault.id });
    for (const events of [streams.a, streams.b]) {
      await waitFor(() => (events.some((e) => e.id === fault.id) ? true : undefined), 'the alert on both streams');
    }
    expect([streams.a, streams.b].map((events) => events.filter((e) => e.id === fault.id).map((e) => e.event))).toEqual([['alert'], ['alert']]);
  });

  it('sends a command posted to one hub through the hub that holds the terminal; its outcome is the same from both', async () => {
    const agent = agents[0]!; // T-0001, on hub b
    const posted = await fetch(`${api(a)}/terminals/T-0001/commands`, { method: 'POST', body: JSON.stringify({ name: 'self_test', args: { level: 'quick' } }) });
    expect(posted.status).toBe(202);
    const { id } = (await posted.json()) as { id: string };
    expect(await agent.next()).toMatchObject({ type: 'command', id, name: 'self_test', args: { level: 'quick' } });
    agent.send({ type: 'command_result', commandId: id, ok: true, detail: 'passed' });
    for (const hub of [a, b]) {
      const command = await waitFor(async () => {
        const c = (await (await fetch(`${api(hub)}/commands/${id}`)).json()) as { state: string };
        return c.state === 'succeeded' ? c : undefined;
      }, 'the command to succeed');
      expect(command).toMatchObject({ id, terminal: 'T-0001', state: 'succeeded', postedBy: 'hub-a', sentBy: 'hub-b', detail: 'passed' });
    }
    // Nobody holds T-0002: 409 from either hub.
    expect((await fetch(`${api(a)}/terminals/T-0002/commands`, { method: 'POST', body: '{"name":"self_test"}' })).status).toBe(409);
  });

  it('moves a terminal that reconnects to the other hub at once: the old connection is closed, both hubs list it connected', async () => {
    const first = await connect(a, 'T-0002');
    await first.report(makeHeartbeat({ terminal: 'T-0002', seq: 1 }));
    await connect(b, 'T-0002');
    expect((await first.closed).code).toBe(CLOSE_REPLACED);
    await waitFor(() => (a.connectedTerminals().includes('T-0002') ? undefined : true), 'hub a to let T-0002 go');
    for (const hub of [a, b]) expect((await terminals(hub)).find((t) => t.id === 'T-0002')).toMatchObject({ connected: true, silent: false });
  });

  it('sends a command whose holding hub died before delivering it from the hub the terminal connects to next; one too old, never', async () => {
    // A hub that took T-0004's lease and died: its lease is live, nothing there will deliver.
    const other = await openStore(database.db);
    await other.holdTerminal('T-0004', 'hub-gone', clock.now(), 30_000);
    const post = async () => {
      const res = await fetch(`${api(a)}/terminals/T-0004/commands`, { method: 'POST', body: '{"name":"ping"}' });
      expect(res.status).toBe(202);
      return ((await res.json()) as { id: string }).id;
    };
    const old = await post();
    await clock.advance(QUEUED_COMMAND_TTL_MS + 1);
    await other.holdTerminal('T-0004', 'hub-gone', clock.now(), 30_000);
    const fresh = await post();
    await other.close();
    const state = async (id: string) => ((await (await fetch(`${api(b)}/commands/${id}`)).json()) as { state: string }).state;
    expect([await state(old), await state(fresh)]).toEqual(['queued', 'queued']);
    const agent = await connect(b, 'T-0004');
    expect(await agent.next()).toMatchObject({ type: 'command', id: fresh, name: 'ping' });
    await waitFor(async () => ((await state(fresh)) === 'sent' ? true : undefined), 'the fresh command sent');
    expect(await state(old)).toBe('undeliverable');
  });

  it('announces a terminal that fell silent once on each hub\'s stream, whichever hub ran the check', async () => {
    const agent = await connect(a, 'T-0003');
    await agent.report(makeHeartbeat({ terminal: 'T-0003', seq: 1 }));
    await agent.close();
    await waitFor(async () => ((await terminals(b)).find((t) => t.id === 'T-0003')?.connected === false ? true : undefined), 'T-0003 seen gone by hub b');
    const silentOf = (events: SseEvent[]) => events.filter((e) => e.event === 'silent' && e.data.terminal === 'T-0003');
    await clock.advance(SILENCE_MS + SILENCE_MS / 4);
    for (const events of [streams.a, streams.b]) await waitFor(() => (silentOf(events).length > 0 ? true : undefined), 'the silent event on both streams');
    // Both hubs check again and again; the fleet announces once.
    await clock.advance(SILENCE_MS);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect([silentOf(streams.a).length, silentOf(streams.b).length]).toEqual([1, 1]);
    for (const hub of [a, b]) expect((await terminals(hub)).find((t) => t.id === 'T-0003')).toMatchObject({ connected: false, silent: true });
  });
});
