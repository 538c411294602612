import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOperators } from '../../src/operators/operators.js';
import { cliPrincipal } from '../../src/operators/principal.js';
import { openStore } from '../../src/store/open-store.js';
import type { HubStore } from '../../src/store/store.js';
import { startTestHub } from '../../../../test/support/hub-harness.js';
import { makeFaultReport } from '../../../../test/support/reports.js';
import { waitFor } from '../../../../test/support/wait-for.js';
import { TestAgent } from '../helpers/hub-agent.js';

type Harness = Awaited<ReturnType<typeof startTestHub>>;

/**
 * The alarm API with operators: the hub has users (an operator and a viewer), so every request carries a
 * user's token, and the alarms' actions are done, logged and audited as that user.
 */
describe('the alarm API', () => {
  let h: Harness;
  let agent: TestAgent;
  let store: HubStore;
  const token: Record<string, string> = {};
  const call = async (path: string, as: string, init: RequestInit = {}) => {
    const res = await fetch(`${h.api}${path}`, { ...init, headers: { authorization: `Bearer ${token[as]}` } });
    return { status: res.status, link: res.headers.get('link'), body: (await res.json()) as any };
  };
  const post = (path: string, as: string, body: unknown) => call(path, as, { method: 'POST', body: JSON.stringify(body) });
  let seq = 0;
  const fault = async (overrides: Parameters<typeof makeFaultReport>[0] = {}) => {
    const report = makeFaultReport({ seq: ++seq, ...overrides });
    expect(await agent.report(report)).toMatchObject({ type: 'ack', id: report.id });
    return report;
  };
  const alarmsWhere = async (query: string, n: number) => waitFor(async () => {
    const { body } = await call(`/alarms?${query}`, 'vera');
    return body.alarms.length === n ? body.alarms : undefined;
  }, `${n} alarms for ${query}`);

  beforeAll(async () => {
    h = await startTestHub({ apiToken: 'api-token-file-secret' });
    store = await openStore(h.db);
    const ops = createOperators(store.operators, h.clock, { scrypt: { N: 1024, r: 8, p: 1 } });
    for (const [name, role] of [['vera', 'viewer'], ['otto', 'operator']] as const) {
      await ops.users.add(name, role, `${name}-password`, cliPrincipal('root'));
      token[name] = (await ops.users.issueToken(name, 'test', cliPrincipal('root'))).token;
    }
    agent = await TestAgent.connect(h.hub.url, 'T-0001', 'token-one');
    await agent.next();
  });
  afterAll(async () => {
    await agent.close();
    await store.close();
    await h.cleanup();
  });

  it('lists the alarm a fault raised, with its evidence, and works it: ack, assign, severity, comment, close', async () => {
    const raising = await fault({ evidence: { 'printer.paper': 'end' } });
    const [alarm] = await alarmsWhere('terminal=T-0001&status=active', 1);
    expect(alarm).toMatchObject({ terminal: 'T-0001', code: 'printer.paper_end', instance: null, severity: 'major', category: 'io', status: 'active', acknowledged: false, assignee: null, since: '2026-01-01T00:00:00.000Z', count: 1, closed: false });
    const id = alarm.id;
    expect(await post(`/alarms/${id}/ack`, 'vera', {})).toMatchObject({ status: 403 });
    expect(await post(`/alarms/${id}/ack`, 'otto', { comment: 'looking' })).toMatchObject({ status: 200, body: { id, acknowledged: true } });
    expect(await post(`/alarms/${id}/ack`, 'otto', {})).toEqual({ status: 409, link: null, body: { error: 'alarm is already acknowledged' } });
    expect(await post(`/alarms/${id}/assign`, 'otto', { user: 'tess' })).toMatchObject({ status: 200, body: { assignee: 'tess' } });
    expect(await post(`/alarms/${id}/severity`, 'otto', { severity: 'loud' })).toMatchObject({ status: 400, body: { error: expect.stringMatching(/^bad severity body: severity/) } });
    expect(await post(`/alarms/${id}/severity`, 'otto', { severity: 'critical' })).toMatchObject({ status: 200, body: { severity: 'critical' } });
    expect(await post(`/alarms/${id}/comment`, 'otto', { comment: 'paper ordered' })).toMatchObject({ status: 200 });
    expect(await post(`/alarms/${id}/close`, 'otto', {})).toMatchObject({ status: 200, body: { closed: true, status: 'cleared' } });
    expect(await post(`/alarms/${id}/close`, 'otto', {})).toMatchObject({ status: 409, body: { error: expect.stringMatching(/closed/) } });
    expect(await post('/alarms/999999/ack', 'otto', {})).toMatchObject({ status: 404, body: { error: 'no alarm 999999' } });

    const { status, body } = await call(`/alarms/${id}`, 'vera');
    expect(status).toBe(200);
    expect(body.history.map((e: any) => [e.action, e.actor])).toEqual([
      ['raised', 'system'],
      ['ack', 'otto'],
      ['assign', 'otto'],
      ['severity', 'otto'],
      ['comment', 'otto'],
      ['close', 'otto'],
    ]);
    expect(body.comments.filter((c: any) => !c.system).map((c: any) => [c.author, c.text])).toEqual([
      ['otto', 'looking'],
      ['otto', 'paper ordered'],
    ]);
    expect(body.evidence).toEqual({ report: expect.objectContaining({ id: raising.id, evidence: { 'printer.paper': 'end' }, repairRequest: null }), selfTest: null, bundles: [] });
    const audit = await fetch(`${h.api}/audit?user=otto`, { headers: { authorization: 'Bearer api-token-file-secret' } }).then((r) => r.json() as Promise<any>);
    expect(audit.entries.map((e: any) => [e.action, e.target, e.outcome]).reverse()).toEqual([
      ['alarm.ack', String(id), 'ok'],
      ['alarm.ack', String(id), 'failed'],
      ['alarm.assign', String(id), 'ok'],
      ['alarm.severity', String(id), 'failed'],
      ['alarm.severity', String(id), 'ok'],
      ['alarm.comment', String(id), 'ok'],
      ['alarm.close', String(id), 'ok'],
      ['alarm.close', String(id), 'failed'],
      ['alarm.ack', '999999', 'failed'],
    ]);
  });

  it('filters by terminal labels, pages by Link, acts in bulk, and counts open alarms per terminal', async () => {
    expect(await call('/terminals/T-0001/labels', 'otto', { method: 'PUT', body: '{"labels":{"region":"north","carrier":"cm","tags":"vip;mall_2"}}' })).toMatchObject({ status: 200 });
    expect(await call('/terminals/T-9999/labels', 'otto', { method: 'PUT', body: '{"labels":{}}' })).toMatchObject({ status: 404 });
    await fault({ code: 'printer.cover_open' });
    await fault({ code: 'scanner.gone', category: 'hardware' });
    const open = await alarmsWhere('closed=false', 2);
    expect((await call('/alarms?label.region=north&closed=false', 'vera')).body.alarms).toHaveLength(2);
    expect((await call('/alarms?label.region=south', 'vera')).body.alarms).toEqual([]);
    // A terminal's tags are asked one at a time, never as a part of a tag (mall_2's `_` is no wildcard).
    expect((await call('/alarms?label.tags=mall_2&closed=false', 'vera')).body.alarms).toHaveLength(2);
    expect((await call('/alarms?label.tags=vip&label.region=north&closed=false', 'vera')).body.alarms).toHaveLength(2);
    expect((await call('/alarms?label.tags=mall', 'vera')).body.alarms).toEqual([]);
    expect((await call('/alarms?label.tags=mallx2', 'vera')).body.alarms).toEqual([]);
    expect((await call('/alarms?category=hardware', 'vera')).body.alarms.map((a: any) => a.code)).toEqual(['scanner.gone']);
    expect(await call('/alarms?ack=maybe', 'vera')).toMatchObject({ status: 400, body: { error: expect.stringMatching(/^bad query: ack/) } });
    const first = await call('/alarms?closed=false&limit=1', 'vera');
    expect(first.link).toBe(`</api/alarms?closed=false&limit=1&after=${open[0].id}>; rel="next"`);
    const second = await call(first.link!.slice(5, first.link!.indexOf('>')), 'vera');
    expect(second.body.alarms.map((a: any) => a.id)).toEqual([open[1].id]);

    const terminals = (await call('/terminals', 'vera')).body;
    expect(terminals.find((t: any) => t.id === 'T-0001')).toMatchObject({ connected: true, labels: { region: 'north', carrier: 'cm' }, openAlarms: 2 });
    expect(terminals.find((t: any) => t.id === 'T-0002')).toMatchObject({ labels: {}, openAlarms: 0 });

    const bulk = await post('/alarms/actions', 'otto', { ids: [open[0].id, open[1].id, 999999], action: 'ack', comment: 'batch' });
    expect(bulk.status).toBe(200);
    expect(bulk.body.results.map((r: any) => [r.id, r.ok, r.status ?? r.alarm.acknowledged])).toEqual([
      [open[0].id, true, true],
      [open[1].id, true, true],
      [999999, false, 404],
    ]);
    expect(await post('/alarms/actions', 'otto', { ids: [open[0].id], action: 'ack' })).toMatchObject({ body: { results: [{ ok: false, status: 409 }] } });
    expect(await post('/alarms/actions', 'otto', { ids: [], action: 'ack' })).toMatchObject({ status: 400 });
    // The clear of the cover fault clears its alarm: one active alarm is left on T-0001.
    await fault({ code: 'printer.cover_open', state: 'cleared' });
    await alarmsWhere('status=active&closed=false', 1);
    expect((await call('/terminals', 'vera')).body.find((t: any) => t.id === 'T-0001').openAlarms).toBe(1);
  });
});
