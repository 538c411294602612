import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../test/support/fake-clock.js';
import { AlertStream, presenceEvent } from '../src/alert-stream.js';
import { TestAgent } from './helpers/hub-agent.js';
import { startTestHub } from '../../../test/support/hub-harness.js';
import { makeFaultReport, makeHeartbeat } from '../../../test/support/reports.js';
import { subscribe, type SseEvent } from './helpers/sse-subscriber.js';
import { waitFor } from '../../../test/support/wait-for.js';

type Harness = Awaited<ReturnType<typeof startTestHub>>;

describe('hub alert stream', () => {
  let h: Harness;
  let agent: TestAgent;
  beforeAll(async () => {
    h = await startTestHub();
    agent = await TestAgent.connect(h.hub.url, 'T-0001', 'token-one');
    await agent.next();
  });
  afterAll(async () => {
    await agent.close();
    await h.cleanup();
  });

  it('streams alerts and clears of root-cause faults the moment they are stored, nothing else', async () => {
    const { events, res } = await subscribe(`${h.api}/alerts`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/event-stream/);

    const linkDown = makeFaultReport({ seq: 1, code: 'network.link_down', instance: 'eth0', category: 'network', severity: 'critical' });
    const dns = makeFaultReport({ seq: 2, code: 'network.dns_failure', instance: 'acquirer', category: 'network', inhibitedBy: 'network.link_down' });
    const heartbeat = makeHeartbeat({ seq: 3 });
    const cleared = makeFaultReport({ seq: 4, code: 'network.link_down', instance: 'eth0', category: 'network', severity: 'critical', state: 'cleared' });
    for (const report of [linkDown, dns, heartbeat, cleared]) await agent.report(report);

    await waitFor(() => (events.length >= 2 ? true : undefined), 'two events');
    expect(events.map((e) => [e.event, e.id])).toEqual([
      ['alert', linkDown.id],
      ['cleared', cleared.id],
    ]);
    expect(events[0]!.data).toMatchObject({ terminal: 'T-0001', code: 'network.link_down', instance: 'eth0', severity: 'critical', state: 'raised' });
    res.destroy();
  });
});

describe('silent terminals', () => {
  const SILENCE_MS = 10 * 60_000;

  it('announces a terminal that went away and stayed away, once, and its return; lists every terminal', async () => {
    const h = await startTestHub({ silenceAfterMs: SILENCE_MS });
    try {
      const terminals = async () => (await (await fetch(`${h.api}/terminals`)).json()) as { id: string; connected: boolean; lastHeard: string | null; silent: boolean }[];
      expect(await terminals()).toEqual([
        { id: 'T-0001', connected: false, lastHeard: null, silent: false, labels: {}, openAlarms: 0, inventory: null },
        { id: 'T-0002', connected: false, lastHeard: null, silent: false, labels: {}, openAlarms: 0, inventory: null },
      ]);
      const { events } = await subscribe(`${h.api}/alerts`);
      let agent = await TestAgent.connect(h.hub.url, 'T-0001', 'token-one');
      await agent.next();
      await agent.report(makeHeartbeat({ seq: 1 }));
      const heardAt = h.clock.now();
      expect((await terminals())[0]).toEqual({ id: 'T-0001', connected: true, lastHeard: new Date(heardAt).toISOString(), silent: false, labels: {}, openAlarms: 0, inventory: null });

      // Connected is alive (the keep-alive drops dead links), however long it says nothing.
      await agent.close();
      await waitFor(() => (h.hub.connectedTerminals().length === 0 ? true : undefined), 'the hub to see the agent go');
      await h.clock.advance(SILENCE_MS - 1);
      expect(events).toEqual([]);
      await h.clock.advance(SILENCE_MS / 4); // the next check
      await waitFor(() => (events.length === 1 ? true : undefined), 'the silent event');
      expect(events[0]).toEqual({ id: `T-0001@${new Date(heardAt).toISOString()}/silent`, event: 'silent', data: { terminal: 'T-0001', lastHeard: new Date(heardAt).toISOString() } });
      expect((await terminals())[0]).toMatchObject({ connected: false, silent: true });
      await h.clock.advance(SILENCE_MS); // said once, not at every check
      expect(events).toHaveLength(1);

      agent = await TestAgent.connect(h.hub.url, 'T-0001', 'token-one');
      await waitFor(() => (events.length === 2 ? true : undefined), 'the back event');
      expect(events[1]).toMatchObject({ event: 'back', data: { terminal: 'T-0001', lastHeard: new Date(h.clock.now()).toISOString() } });
      expect((await terminals())[0]).toMatchObject({ connected: true, silent: false });
      await agent.close();
    } finally {
      await h.cleanup();
    }
  });

  it('remembers across a hub restart when each terminal was last heard from', async () => {
    const h = await startTestHub({ silenceAfterMs: SILENCE_MS });
    try {
      const agent = await TestAgent.connect(h.hub.url, 'T-0002', 'token-two');
      await agent.next();
      await agent.report(makeHeartbeat({ terminal: 'T-0002', seq: 1 }));
      await agent.close();
      await h.restart();
      const { events } = await subscribe(`${h.api}/alerts`);
      await h.clock.advance(SILENCE_MS + SILENCE_MS / 4);
      await waitFor(() => (events.length === 1 ? true : undefined), 'the silent event after the restart');
      expect(events[0]).toMatchObject({ event: 'silent', data: { terminal: 'T-0002' } });
    } finally {
      await h.cleanup();
    }
  });
});

describe('alert stream: ids, replay from Last-Event-ID, keepalive', () => {
  let h: Harness;
  let agent: TestAgent;
  let seq = 0;
  const KEEPALIVE_MS = 5_000;
  beforeAll(async () => {
    h = await startTestHub({ sseKeepaliveMs: KEEPALIVE_MS });
    agent = await TestAgent.connect(h.hub.url, 'T-0001', 'token-one');
    await agent.next();
  });
  afterAll(async () => {
    await agent.close();
    await h.cleanup();
  });
  const raise = async (code: string) => {
    const report = makeFaultReport({ seq: ++seq, code, instance: null });
    await agent.report(report);
    return report.id;
  };
  const until = (events: SseEvent[], n: number) => waitFor(() => (events.length >= n ? true : undefined), `${n} events`);

  it('replays what a reconnecting client missed after its Last-Event-ID, then goes on live', async () => {
    const ids = [await raise('printer.paper_end'), await raise('printer.cover_open'), await raise('printer.cutter_error')];
    const { events, res } = await subscribe(`${h.api}/alerts`, { 'last-event-id': ids[0]! });
    await until(events, 2);
    const live = await raise('printer.head_overheat');
    await until(events, 3);
    expect(events.map((e) => [e.event, e.id])).toEqual([
      ['alert', ids[1]],
      ['alert', ids[2]],
      ['alert', live],
    ]);
    res.destroy();
  });

  it('replays nothing to a client that has seen the latest event', async () => {
    const latest = await raise('printer.offline');
    const { events, res } = await subscribe(`${h.api}/alerts`, { 'last-event-id': latest });
    const next = await raise('printer.near_end');
    await until(events, 1);
    expect(events.map((e) => e.id)).toEqual([next]);
    res.destroy();
  });

  it('says so when the asked id is not kept, then replays every event kept', async () => {
    const { events, res } = await subscribe(`${h.api}/alerts`, { 'last-event-id': 'from-a-previous-hub' });
    await until(events, seq + 1);
    expect(events[0]).toMatchObject({ event: 'missed', id: undefined, data: { lastEventId: 'from-a-previous-hub', replayed: seq } });
    expect(events.slice(1).every((e) => e.event === 'alert' && typeof e.id === 'string')).toBe(true);
    expect(events).toHaveLength(seq + 1);
    res.destroy();
  });

  it('sends a keepalive comment every interval while someone listens', async () => {
    const { comments, res } = await subscribe(`${h.api}/alerts`);
    await waitFor(() => (comments.length === 1 ? true : undefined), 'the opening comment');
    await h.clock.advance(KEEPALIVE_MS - 1);
    expect(comments).toEqual([': posdiag alerts']);
    await h.clock.advance(1);
    await waitFor(() => (comments.length === 2 ? true : undefined), 'a keepalive');
    await h.clock.advance(KEEPALIVE_MS);
    await waitFor(() => (comments.length === 3 ? true : undefined), 'another keepalive');
    expect(comments).toEqual([': posdiag alerts', ': keepalive', ': keepalive']);
    res.destroy();
  });
});

describe('AlertStream replay ring', () => {
  it('keeps only the most recent events, by count and by bytes', async () => {
    const clock = new FakeClock();
    const byCount = new AlertStream(clock, 15_000, { events: 3, bytes: 1 << 20 });
    const byBytes = new AlertStream(clock, 15_000, { events: 100, bytes: 250 });
    const streams = { byCount, byBytes };
    const server = createServer((req, res) => streams[req.url!.slice(1) as keyof typeof streams].subscribe(res, req.headers['last-event-id'] as string | undefined));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const event = { type: 'silent' as const, terminal: `T-${i}`, lastHeard: new Date(clock.now() + i).toISOString() };
        byCount.deliver([presenceEvent(event)]);
        byBytes.deliver([presenceEvent(event)]);
        ids.push(`${event.terminal}@${event.lastHeard}/silent`);
      }
      const replayed = async (path: string, lastEventId: string, n: number) => {
        const { events, res } = await subscribe(`${base}${path}`, { 'last-event-id': lastEventId });
        await waitFor(() => (events.length >= n ? true : undefined), `${n} events from ${path}`);
        res.destroy();
        return events.map((e) => (e.event === 'missed' ? 'missed' : e.id));
      };
      expect(await replayed('/byCount', ids[3]!, 1)).toEqual([ids[4]]);
      expect(await replayed('/byCount', ids[0]!, 4)).toEqual(['missed', ids[2], ids[3], ids[4]]);
      // Each presence frame is about 120 bytes: two fit in 250.
      expect(await replayed('/byBytes', ids[0]!, 3)).toEqual(['missed', ids[3], ids[4]]);
    } finally {
      byCount.close();
      byBytes.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
