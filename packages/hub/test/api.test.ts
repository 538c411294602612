import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from '../src/http-api.js';
import { TestAgent } from './helpers/hub-agent.js';
import { startTestHub } from '../../../test/support/hub-harness.js';
import { makeFaultReport, makeHeartbeat } from '../../../test/support/reports.js';

type Harness = Awaited<ReturnType<typeof startTestHub>>;

describe('hub HTTP API', () => {
  let h: Harness;
  let one: TestAgent;
  let two: TestAgent;
  beforeAll(async () => {
    h = await startTestHub();
    one = await TestAgent.connect(h.hub.url, 'T-0001', 'token-one');
    two = await TestAgent.connect(h.hub.url, 'T-0002', 'token-two');
    await Promise.all([one.next(), two.next()]);
  });
  afterAll(async () => {
    await Promise.all([one.close(), two.close()]);
    await h.cleanup();
  });

  const get = async (path: string) => {
    const res = await fetch(`${h.api}${path}`);
    return { status: res.status, body: (await res.json()) as any };
  };
  const post = async (path: string, body: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${h.api}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
    return { status: res.status, body: (await res.json()) as any };
  };

  describe('reports and faults', () => {
    const paperEnd = makeFaultReport({ seq: 2 });
    const linkDown = makeFaultReport({ terminal: 'T-0002', seq: 1, code: 'network.link_down', instance: 'eth0', category: 'network', severity: 'critical' });
    const dnsInhibited = makeFaultReport({
      terminal: 'T-0002', seq: 2, code: 'network.dns_failure', instance: 'acquirer', category: 'network', inhibitedBy: 'network.link_down',
    });
    beforeAll(async () => {
      // Sent out of order on purpose: the API lists by seq, not by arrival.
      for (const r of [paperEnd, makeHeartbeat({ seq: 1 })]) await one.report(r);
      for (const r of [linkDown, dnsInhibited]) await two.report(r);
    });

    it('lists reports oldest first by terminal and seq, flattened with receivedAt', async () => {
      const { status, body } = await get('/reports');
      expect(status).toBe(200);
      expect(body.map((r: any) => [r.terminal, r.seq, r.kind])).toEqual([
        ['T-0001', 1, 'heartbeat'],
        ['T-0001', 2, 'fault'],
        ['T-0002', 1, 'fault'],
        ['T-0002', 2, 'fault'],
      ]);
      expect(body[1]).toEqual({ ...paperEnd, receivedAt: '2026-01-02T03:04:05.000Z' });
    });

    it('filters by terminal and kind', async () => {
      expect((await get('/reports?terminal=T-0001&kind=fault')).body.map((r: any) => r.id)).toEqual([paperEnd.id]);
      expect((await get('/reports?kind=heartbeat')).body.map((r: any) => r.terminal)).toEqual(['T-0001']);
      expect((await get('/reports?terminal=T-0002')).body).toHaveLength(2);
      expect((await get('/reports?terminal=T-9999')).body).toEqual([]);
    });

    it('pages with limit and the Link header\'s next token, keeping the filters, in the same order', async () => {
      const seen: [string, number][] = [];
      let path: string | undefined = '/reports?kind=fault&limit=2';
      const links: (string | null)[] = [];
      while (path) {
        const res: Response = await fetch(`${h.api}${path.replace(/^\/api/, '')}`);
        expect(res.status).toBe(200);
        for (const r of (await res.json()) as any[]) seen.push([r.terminal, r.seq]);
        const link: string | null = res.headers.get('link');
        links.push(link);
        path = link ? /^<([^>]+)>; rel="next"$/.exec(link)![1] : undefined;
      }
      expect(seen).toEqual([['T-0001', 2], ['T-0002', 1], ['T-0002', 2]]);
      // A full page says there may be more; the page that runs short says nothing.
      expect(links[0]).toMatch(/^<\/api\/reports\?kind=fault&limit=2&after=[A-Za-z0-9_-]+>; rel="next"$/);
      expect(links.at(-1)).toBeNull();
      expect(links).toHaveLength(2);
    });

    it('reports stored between pages are neither skipped nor repeated', async () => {
      const pages: number[][] = [];
      let path: string | undefined = '/reports?terminal=T-0001&limit=1';
      while (path) {
        const res: Response = await fetch(`${h.api}${path.replace(/^\/api/, '')}`);
        pages.push(((await res.json()) as any[]).map((r) => r.seq));
        if (pages.length === 1) await one.report(makeHeartbeat({ seq: 3 }));
        path = /^<([^>]+)>/.exec(res.headers.get('link') ?? '')?.[1];
      }
      expect(pages).toEqual([[1], [2], [3]]);
    });

    it.each([
      ['/reports?limit=0', /bad query: limit: a whole number from 1 to 1000/],
      ['/reports?limit=1001', /bad query: limit: at most 1000/],
      ['/reports?limit=ten', /bad query: limit:/],
      ['/reports?after=not-a-token', /after: not a token from this hub's Link header/],
      [`/reports?after=${Buffer.from('["T-0001",-1,2]').toString('base64url')}`, /after: not a token/],
      ['/reports?kind=bogus', /bad query: kind:/],
      ['/reports?terminal=not%20an%20id', /bad query: terminal:/],
      ['/reports?since=1', /bad query: .*since/],
      ['/reports?kind=fault&kind=heartbeat', /kind given more than once/],
      ['/faults?state=closed', /bad query: state:/],
    ])('answers %s with 400 and a reason', async (path, reason) => {
      const { status, body } = await get(path);
      expect(status).toBe(400);
      expect(body.error).toMatch(reason);
    });

    it('lists open faults per terminal, inhibited ones flagged by inhibitedBy', async () => {
      const { status, body } = await get('/faults?state=open');
      expect(status).toBe(200);
      expect(body).toEqual({
        terminals: {
          'T-0001': [expect.objectContaining({ code: 'printer.paper_end', instance: null, inhibitedBy: null, reportId: paperEnd.id })],
          'T-0002': [
            { code: 'network.dns_failure', instance: 'acquirer', severity: 'major', category: 'network', since: dnsInhibited.since, inhibitedBy: 'network.link_down', reportId: dnsInhibited.id, seq: 2 },
            { code: 'network.link_down', instance: 'eth0', severity: 'critical', category: 'network', since: linkDown.since, inhibitedBy: null, reportId: linkDown.id, seq: 1 },
          ],
        },
      });
    });

    it('closes a fault on clear and ignores a stale raise that arrives after it', async () => {
      const clear = makeFaultReport({ terminal: 'T-0002', seq: 4, code: 'network.link_down', instance: 'eth0', category: 'network', state: 'cleared' });
      const staleRaise = makeFaultReport({ terminal: 'T-0002', seq: 3, code: 'network.link_down', instance: 'eth0', category: 'network', severity: 'critical' });
      await two.report(clear);
      expect(await two.report(staleRaise)).toMatchObject({ type: 'ack', duplicate: false });
      const open = (await get('/faults')).body.terminals['T-0002'].map((f: any) => f.code);
      expect(open).toEqual(['network.dns_failure']);
      expect(h.log.entries.filter((e) => e.msg === 'alert').map((e) => e.fields.seq)).toEqual([2, 1]);
    });
  });

  describe('commands', () => {
    it('sends a command to the connected agent and answers 202 with its id', async () => {
      const { status, body } = await post('/terminals/T-0001/commands', JSON.stringify({ name: 'self_test', args: { level: 'quick' } }));
      expect(status).toBe(202);
      expect(await one.next()).toEqual({ type: 'command', id: body.id, name: 'self_test', args: { level: 'quick' } });
    });

    it('defaults args to an empty object', async () => {
      const { status, body } = await post('/terminals/T-0002/commands', '{"name":"ping"}');
      expect(status).toBe(202);
      expect(await two.next()).toEqual({ type: 'command', id: body.id, name: 'ping', args: {} });
    });

    it.each([
      ['unknown terminal', '/terminals/T-9999/commands', '{"name":"ping"}', 404, /unknown terminal T-9999/],
      ['bad JSON', '/terminals/T-0001/commands', '{"name":', 400, /bad JSON body/],
      ['a command not on the list', '/terminals/T-0001/commands', '{"name":"reboot"}', 400, /bad command: name:/],
      ['nested args', '/terminals/T-0001/commands', '{"name":"ping","args":{"a":{"b":1}}}', 400, /bad command: args\.a:/],
      ['an unknown field', '/terminals/T-0001/commands', '{"name":"ping","run":"rm -rf /"}', 400, /bad command: .*run/],
      ['an oversize body', '/terminals/T-0001/commands', JSON.stringify({ name: 'ping', pad: 'x'.repeat(MAX_BODY_BYTES) }), 413, /larger than/],
      ['an unknown resource', '/nothing', '{}', 404, /no such resource/],
    ])('refuses %s', async (_name, path, body, status, reason) => {
      const res = await post(path, body);
      expect(res.status).toBe(status);
      expect(res.body.error).toMatch(reason);
    });

    it('answers 409 for a known terminal that is not connected', async () => {
      await two.close();
      const res = await post('/terminals/T-0002/commands', '{"name":"ping"}');
      expect(res.status).toBe(409);
      expect(res.body.error).toMatch(/not connected/);
    });

    it('answers 405 for a wrong method', async () => {
      const res = await fetch(`${h.api}/reports`, { method: 'DELETE' });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('GET');
    });
  });
});
