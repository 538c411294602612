import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { startTestHub } from '../../../../test/support/hub-harness.js';
import { makeRepairFault, makeSelfTestReport } from '../../../../test/support/reports.js';
import { TestAgent } from '../helpers/hub-agent.js';
import { apiClient, isAck, isCommand, nextMatching } from './support.js';

type Harness = Awaited<ReturnType<typeof startTestHub>>;

/**
 * The repair procedure through the hub's API, with a protocol-level agent: a repair request opens the
 * order and the terminal hears its reference; it is worked through its states; it cannot be verified
 * before a passing full self-test arrives after the repair, and is after one.
 */
describe('work orders: from a repair request to a proven close', () => {
  let h: Harness;
  let agent: TestAgent;
  const api = apiClient(() => h.api);
  let seq = 0;
  const send = async (report: { id: string }) => {
    agent.send({ type: 'report', report });
    await nextMatching(agent, isAck(report.id));
  };

  beforeAll(async () => {
    h = await startTestHub({ workOrders: { publicUrl: 'https://hub.example.test/' } });
    agent = await TestAgent.connect(h.hub.url, 'T-0001', 'token-one');
    expect((await agent.next()).type).toBe('welcome');
  });
  afterAll(async () => {
    await agent.close();
    await h.cleanup();
  });

  let id: number;
  let ref: string;

  it('opens one order from a repair request, tells the terminal its reference, and adds a repeat to it', async () => {
    await send(makeRepairFault({ seq: ++seq }));
    const { message } = await nextMatching(agent, isCommand('work_order'));
    await h.hub.workOrdersTaken();
    const { body } = await api.get('/workorders?terminal=T-0001');
    expect(body.workorders).toHaveLength(1);
    const [order] = body.workorders;
    ({ id, ref } = order);
    expect(order).toMatchObject({ terminal: 'T-0001', state: 'submitted', kind: 'repair', serial: 'SN-TEST-0001', code: 'printer.head_failure', severity: 'critical', reports: 1 });
    expect(ref).toMatch(/^WO-[34679ACDEFGHJKMNPQRTWXY]{6}$/);
    // The alarm the same fault raised is the order's, as one opened from the alarm by hand would be.
    const [alarm] = (await api.get('/alarms?terminal=T-0001&code=printer.head_failure')).body.alarms;
    expect(order.alarm).toBe(alarm.id);
    expect(message).toMatchObject({ type: 'command', name: 'work_order', args: { ref, state: 'submitted', url: `https://hub.example.test/wo/${order.merchantPath.slice(4)}` } });

    await send(makeRepairFault({ seq: ++seq }));
    await h.hub.workOrdersTaken();
    const again = await api.get('/workorders?terminal=T-0001');
    expect(again.body.workorders).toMatchObject([{ id, reports: 2 }]);
    const detail = await api.get(`/workorders/${id}`);
    expect(detail.body.repairRequest).toMatchObject({ terminal: { serial: 'SN-TEST-0001' }, part: { device: 'printer' } });
    expect(detail.body.history.map((e: { action: string }) => e.action)).toEqual(['opened', 'repeat']);
  });

  it('moves through the table, each change logged with who and why, and a refused move is a 409 with the reason', async () => {
    expect(await api.post(`/workorders/${id}/transition`, { to: 'closed' })).toMatchObject({ status: 409, body: { error: `work order ${ref} cannot go from submitted to closed (allowed: accepted, cancelled)` } });
    expect(await api.post(`/workorders/${id}/transition`, { to: 'repaired' })).toMatchObject({ status: 400 });
    expect(await api.post(`/workorders/${id}/transition`, { to: 'accepted', comment: 'technician booked' })).toMatchObject({ status: 200, body: { state: 'accepted' } });
    expect((await nextMatching(agent, isCommand('work_order'))).message).toMatchObject({ args: { ref, state: 'accepted' } });
    expect(await api.post(`/workorders/${id}/transition`, { to: 'in_repair' })).toMatchObject({ status: 200, body: { state: 'in_repair' } });
    expect(await api.post(`/workorders/${id}/transition`, { to: 'returned' })).toMatchObject({ status: 200, body: { state: 'returned' } });
    expect(await api.post(`/workorders/${id}/details`, { contact: 'Ms Li 138-0000-0000', address: '1 Nanjing Rd' })).toMatchObject({ status: 200, body: { contact: 'Ms Li 138-0000-0000' } });
    expect(await api.post(`/workorders/${id}/assign`, { user: 'nobody' })).toMatchObject({ status: 404 });
    const { body } = await api.get(`/workorders/${id}`);
    expect(body.history.slice(2).map((e: { actor: string; action: string; from: string; to: string; comment: string | null }) => [e.action, e.from, e.to, e.comment])).toEqual([
      ['transition', 'submitted', 'accepted', 'technician booked'],
      ['transition', 'accepted', 'in_repair', null],
      ['transition', 'in_repair', 'returned', null],
      ['details', null, null, null],
    ]);
    expect(body.history[2].actor).toBe('loopback');
  });

  it('refuses to verify without a passing full self-test after the repair, and verifies after one, linked by itself', async () => {
    expect(await api.post(`/workorders/${id}/transition`, { to: 'verified' })).toMatchObject({ status: 409, body: { error: expect.stringMatching(/no passing full self-test from T-0001 since the repair/) } });
    expect(await api.post(`/workorders/${id}/transition`, { to: 'closed' })).toMatchObject({ status: 409 });
    // Neither a quick test nor a failing full one is proof.
    await send(makeSelfTestReport({ seq: ++seq, level: 'quick' }));
    await send(makeSelfTestReport({ seq: ++seq, passed: false }));
    await h.hub.workOrdersTaken();
    expect(await api.post(`/workorders/${id}/transition`, { to: 'verified' })).toMatchObject({ status: 409 });

    const passing = makeSelfTestReport({ seq: ++seq });
    await send(passing);
    await h.hub.workOrdersTaken();
    const linked = await api.get(`/workorders/${id}`);
    expect(linked.body).toMatchObject({ proven: true, selfTestId: passing.id, selfTest: { id: passing.id, kind: 'self_test' } });
    expect(await api.post(`/workorders/${id}/transition`, { to: 'verified' })).toMatchObject({ status: 200, body: { state: 'verified' } });
    expect(await api.post(`/workorders/${id}/transition`, { to: 'closed', comment: 'done' })).toMatchObject({ status: 200, body: { state: 'closed' } });
    expect((await api.get('/workorders?state=closed')).body.workorders).toMatchObject([{ id }]);

    // Retention prunes the report; the order keeps its proof in its history.
    const store = await openStore(h.db);
    try {
      await store.prune(h.clock.now() + 400 * 86_400_000);
      expect(await store.alarms.report(passing.id)).toBeUndefined();
    } finally {
      await store.close();
    }
    const kept = (await api.get(`/workorders/${id}`)).body.selfTest;
    expect(kept).toMatchObject({ id: passing.id, kind: 'self_test', terminal: 'T-0001', fromHistory: true, result: { level: 'full', passed: true } });
  });

  it('takes an override only with a comment, and logs it as one', async () => {
    const opened = await api.post('/workorders', { terminal: 'T-0002', comment: 'merchant phoned: screen cracked' });
    expect(opened).toMatchObject({ status: 201, body: { terminal: 'T-0002', state: 'submitted', code: 'operator.opened' } });
    expect(await api.post('/workorders', { terminal: 'T-0002' })).toMatchObject({ status: 409, body: { error: `terminal T-0002 already has work order ${opened.body.ref} open for operator.opened` } });
    expect(await api.post('/workorders', { terminal: 'T-9999' })).toMatchObject({ status: 404 });
    const other = opened.body.id;
    for (const to of ['accepted', 'in_repair', 'returned']) expect(await api.post(`/workorders/${other}/transition`, { to })).toMatchObject({ status: 200 });
    expect(await api.post(`/workorders/${other}/transition`, { to: 'verified', override: true })).toMatchObject({ status: 409, body: { error: expect.stringMatching(/needs a comment/) } });
    expect(await api.post(`/workorders/${other}/transition`, { to: 'verified', override: true, comment: 'terminal replaced on site, no link' })).toMatchObject({ status: 200, body: { state: 'verified', proven: false } });
    const { body } = await api.get(`/workorders/${other}`);
    expect(body.history.at(-1)).toMatchObject({ action: 'override', actor: 'loopback', from: 'returned', to: 'verified', comment: 'terminal replaced on site, no link' });
  });

  it('exports the orders as CSV and pages the list by keyset', async () => {
    const csv = await api.get('/workorders.csv');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const lines = (csv.body as string).trimEnd().split('\r\n');
    expect(lines[0]).toBe('id,ref,terminal,kind,state,serial,currentSerial,code,severity,assignee,openedAt,updatedAt,closedAt,expectedAt,proven');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toContain(`${ref},T-0001,repair,closed,SN-TEST-0001`);
    const first = await api.get('/workorders?limit=1');
    expect(first.body.workorders).toHaveLength(1);
    const next = /<\/api(\/workorders\?[^>]+)>; rel="next"/.exec(first.headers.get('link') ?? '')![1]!;
    const second = await api.get(next);
    expect(second.body.workorders.map((o: { id: number }) => o.id)).toEqual([id]);
    // The reference as a merchant reads it out: any case, without WO-; the other filters aside.
    expect((await api.get(`/workorders?ref=${ref.slice(3).toLowerCase()}&state=submitted`)).body.workorders.map((o: { id: number }) => o.id)).toEqual([id]);
    expect((await api.get('/workorders?ref=WO-333333')).body.workorders).toEqual([]);
  });

  it('shows the merchant one order by its token, in either language, and nothing for an unknown token', async () => {
    const order = (await api.get(`/workorders/${id}`)).body;
    const base = `http://127.0.0.1:${h.hub.address.port}`;
    const zh = await fetch(`${base}${order.merchantPath}`);
    expect(zh.status).toBe(200);
    expect(zh.headers.get('referrer-policy')).toBe('no-referrer');
    const zhText = await zh.text();
    expect(zhText).toContain(ref);
    expect(zhText).toContain('已完成');
    const en = await fetch(`${base}${order.merchantPath}`, { headers: { 'accept-language': 'en-US,en;q=0.9,zh;q=0.5' } });
    expect(await en.text()).toContain('Completed');
    expect(await (await fetch(`${base}${order.merchantPath}?lang=en`)).text()).toContain('Reference');
    // Nothing of any other order, nor of the terminal beyond the order.
    const others = (await api.get('/workorders')).body.workorders.filter((o: { id: number }) => o.id !== id);
    for (const o of others) expect(zhText).not.toContain(o.ref);
    expect(zhText).not.toContain('SN-TEST-0001');
    for (const path of ['/wo/AAAAAAAAAAAAAAAAAAAAAA', '/wo/', '/wo/x', `${order.merchantPath}/more`]) {
      const res = await fetch(`${base}${path}`);
      expect(res.status, path).toBe(404);
      expect(await res.text()).not.toContain('WO-');
    }
  });
});

describe('work orders: a spare swapped into the slot', () => {
  let h: Harness;
  const api = apiClient(() => h.api);
  beforeAll(async () => {
    h = await startTestHub();
  });
  afterAll(() => h.cleanup());

  const hello = (agent: TestAgent, serial: string) => agent.send({ type: 'hello', terminal: 'T-0001', agentVersion: '1.0.0', lastSeq: 0, inventory: { model: 'X990', serial } });

  it('records serial A → B on the order, completes the swap with the spare\'s passing full self-test, and keeps each unit\'s history', async () => {
    const a = await TestAgent.connect(h.hub.url, 'T-0001', 'token-one');
    await a.next();
    hello(a, 'SN-A');
    const fault = makeRepairFault({ seq: 1 }, 'SN-A');
    a.send({ type: 'report', report: fault });
    await nextMatching(a, isAck(fault.id));
    await h.hub.workOrdersTaken();
    const [order] = (await api.get('/workorders')).body.workorders;
    await api.post(`/workorders/${order.id}/transition`, { to: 'accepted' });
    await api.post(`/workorders/${order.id}/transition`, { to: 'spare_sent' });
    await a.close();

    // The spare took over the slot: the same terminal id, another unit.
    const b = await TestAgent.connect(h.hub.url, 'T-0001', 'token-one');
    await b.next();
    hello(b, 'SN-B');
    // Sent at once after the hello, as an agent does: the swap is recorded before the test is looked at.
    const acceptance = makeSelfTestReport({ seq: 2, serial: 'SN-B' });
    b.send({ type: 'report', report: acceptance });
    await nextMatching(b, isAck(acceptance.id));
    await h.hub.workOrdersTaken();
    const swapped = (await api.get(`/workorders/${order.id}`)).body;
    expect(swapped).toMatchObject({ serial: 'SN-A', currentSerial: 'SN-B', swaps: [{ terminal: 'T-0001', oldSerial: 'SN-A', newSerial: 'SN-B', completedAt: expect.any(String), selfTestId: acceptance.id }] });
    expect(swapped.history.slice(-3).map((e: { action: string }) => e.action)).toEqual(['swap', 'self_test', 'swap_completed']);
    expect(swapped.history.at(-3)).toMatchObject({ action: 'swap', detail: { slot: 'T-0001', oldSerial: 'SN-A', newSerial: 'SN-B' } });
    expect((await api.get('/spares')).body.spares).toMatchObject([{ serial: 'SN-A', state: 'swapped_out', terminal: 'T-0001', orderId: order.id }]);

    for (const to of ['in_repair', 'returned']) expect(await api.post(`/workorders/${order.id}/transition`, { to })).toMatchObject({ status: 200 });
    const again = makeSelfTestReport({ seq: 3, serial: 'SN-B' });
    b.send({ type: 'report', report: again });
    await nextMatching(b, isAck(again.id));
    await h.hub.workOrdersTaken();
    for (const to of ['verified', 'closed']) expect(await api.post(`/workorders/${order.id}/transition`, { to })).toMatchObject({ status: 200 });
    expect((await api.get('/spares')).body.spares).toMatchObject([{ serial: 'SN-A', state: 'repaired' }]);

    const unitA = (await api.get('/units/SN-A')).body;
    expect(unitA).toMatchObject({ serial: 'SN-A', spare: { state: 'repaired' }, workorders: [{ id: order.id }], swaps: [{ oldSerial: 'SN-A', newSerial: 'SN-B' }] });
    expect((await api.get('/units/SN-B')).body.swaps).toHaveLength(1);
    expect(await api.get('/units/SN-NONE')).toMatchObject({ status: 404 });
    await b.close();
  });
});
