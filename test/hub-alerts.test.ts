import { get, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestAgent } from './helpers/hub-agent.js';
import { startTestHub } from './helpers/hub-harness.js';
import { makeFaultReport, makeHeartbeat } from './helpers/reports.js';
import { waitFor } from './helpers/wait-for.js';

type Harness = Awaited<ReturnType<typeof startTestHub>>;
interface SseEvent {
  id: string;
  event: string;
  data: Record<string, unknown>;
}

/** A subscriber to GET /api/alerts that parses the Server-Sent Events it receives. */
function subscribe(url: string): Promise<{ events: SseEvent[]; res: IncomingMessage }> {
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      const events: SseEvent[] = [];
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = Object.fromEntries(block.split('\n').filter((l) => !l.startsWith(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]));
          if (fields.event) events.push({ id: fields.id!, event: fields.event, data: JSON.parse(fields.data!) });
        }
      });
      resolve({ events, res });
    }).on('error', reject);
  });
}

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
        { id: 'T-0001', connected: false, lastHeard: null, silent: false },
        { id: 'T-0002', connected: false, lastHeard: null, silent: false },
      ]);
      const { events } = await subscribe(`${h.api}/alerts`);
      let agent = await TestAgent.connect(h.hub.url, 'T-0001', 'token-one');
      await agent.next();
      await agent.report(makeHeartbeat({ seq: 1 }));
      const heardAt = h.clock.now();
      expect((await terminals())[0]).toEqual({ id: 'T-0001', connected: true, lastHeard: new Date(heardAt).toISOString(), silent: false });

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
