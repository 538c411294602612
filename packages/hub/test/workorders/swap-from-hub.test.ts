import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOperators } from '../../src/operators/operators.js';
import { cliPrincipal } from '../../src/operators/principal.js';
import { openStore } from '../../src/store/open-store.js';
import type { HubStore } from '../../src/store/store.js';
import { startTestHub } from '../../../../test/support/hub-harness.js';
import { makeHeartbeat, makeRepairFault } from '../../../../test/support/reports.js';
import { waitFor } from '../../../../test/support/wait-for.js';
import { TestAgent } from '../helpers/hub-agent.js';
import { apiClient, isAck, isCommand, nextMatching } from './support.js';

type Harness = Awaited<ReturnType<typeof startTestHub>>;
const ROOT = cliPrincipal('root');

/**
 * The swap file of a dead terminal's slot, from what the hub knows of it (GET /api/terminals/ID/swap):
 * the serial of its last hello, the highest seq stored, its open repair order as the terminal was told
 * it, and its token. Admin only, and audited though it is a GET. The agent side
 * (packages/agent/test/repair/swap-from-hub.test.ts) imports what this route gives.
 */
describe('work orders: a swap file from the hub for a dead terminal', () => {
  let h: Harness;
  let store: HubStore;
  const as: Record<string, ReturnType<typeof apiClient>> = {};
  let told: Record<string, unknown>;

  beforeAll(async () => {
    h = await startTestHub({ apiToken: 'file-token', authThrottle: { burst: 1_000 }, workOrders: { publicUrl: 'https://hub.example.test' } });
    store = await openStore(h.db);
    const ops = createOperators(store.operators, h.clock, { scrypt: { N: 1024, r: 8, p: 1 } });
    for (const [name, role] of [['vera', 'viewer'], ['otto', 'operator'], ['ada', 'admin']] as const) {
      await ops.users.add(name, role, `${name}-password`, ROOT);
      as[name] = apiClient(() => h.api, (await ops.users.issueToken(name, 'test', ROOT)).token);
    }
    // T-0001 says hello with its serial, reports up to seq 5 (not in order) and asks for a repair; then it dies.
    const agent = await TestAgent.connect(h.hub.url, 'T-0001', 'token-one');
    await agent.next();
    agent.send({ type: 'hello', terminal: 'T-0001', agentVersion: '1.0.0', lastSeq: 0, inventory: { model: 'X990', serial: 'SN-DEAD' } });
    for (const report of [makeHeartbeat({ seq: 1 }), makeHeartbeat({ seq: 2 }), makeHeartbeat({ seq: 5 }), makeRepairFault({ seq: 4 }, 'SN-DEAD')]) {
      agent.send({ type: 'report', report });
      await nextMatching(agent, isAck(report.id));
    }
    await h.hub.workOrdersTaken();
    told = (await nextMatching(agent, isCommand('work_order'))).message as unknown as Record<string, unknown>;
    await waitFor(async () => ((await as.ada!.get('/terminals')).body as { id: string; inventory: { serial: string } | null }[]).find((t) => t.id === 'T-0001')?.inventory?.serial, "the hello's inventory");
    await agent.close();
    // T-0002 connects and reports, but its hello never names a serial.
    const quiet = await TestAgent.connect(h.hub.url, 'T-0002', 'token-two');
    await quiet.next();
    quiet.send({ type: 'hello', terminal: 'T-0002', agentVersion: '1.0.0', lastSeq: 0 });
    const beat = makeHeartbeat({ terminal: 'T-0002', seq: 1 });
    quiet.send({ type: 'report', report: beat });
    await nextMatching(quiet, isAck(beat.id));
    await quiet.close();
  });
  afterAll(async () => {
    await store.close();
    await h.cleanup();
  });

  it('gives an admin the swap file: the slot as the hub knows it, the order the terminal was told, only its id and token as config', async () => {
    const res = await as.ada!.get('/terminals/T-0001/swap');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="swap-T-0001.json"');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const [order] = (await as.ada!.get('/workorders?terminal=T-0001')).body.workorders;
    expect(res.body).toEqual({
      format: 'posdiag-swap',
      version: 1,
      source: 'hub',
      swapId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      exportedAt: new Date(h.clock.now()).toISOString(),
      slot: { terminal: 'T-0001', fromSerial: 'SN-DEAD', lastSeq: 5 },
      config: { terminal: { id: 'T-0001' }, uplink: { token: 'token-one' } },
      credentials: {},
      workOrder: { ref: order.ref, state: 'submitted', url: `https://hub.example.test${order.merchantPath}` },
    });
    // What the terminal was told of its order, exactly.
    expect(res.body.workOrder).toEqual(told.args);
    // Each one is a swap of its own.
    expect((await as.ada!.get('/terminals/T-0001/swap')).body.swapId).not.toBe(res.body.swapId);
  });

  it('follows the order: a newer state is in the next file, and a closed order is in none', async () => {
    const [order] = (await as.ada!.get('/workorders?terminal=T-0001')).body.workorders;
    expect(await as.otto!.post(`/workorders/${order.id}/transition`, { to: 'accepted' })).toMatchObject({ status: 200 });
    expect((await as.ada!.get('/terminals/T-0001/swap')).body.workOrder).toMatchObject({ ref: order.ref, state: 'accepted' });
    expect(await as.otto!.post(`/workorders/${order.id}/transition`, { to: 'cancelled', comment: 'merchant bought a new one' })).toMatchObject({ status: 200 });
    expect((await as.ada!.get('/terminals/T-0001/swap')).body.workOrder).toBeNull();
  });

  it('refuses a viewer and an operator (403): it hands out the terminal\'s token', async () => {
    expect(await as.vera!.get('/terminals/T-0001/swap')).toMatchObject({ status: 403, body: { error: 'vera is a viewer; this needs the admin role' } });
    expect(await as.otto!.get('/terminals/T-0001/swap')).toMatchObject({ status: 403, body: { error: 'otto is a operator; this needs the admin role' } });
    // The rest of the terminal's API is as it was.
    expect(await as.vera!.get('/terminals')).toMatchObject({ status: 200 });
  });

  it('is 404 for an unknown terminal and 409 for one whose hello never named a serial; 405 for another method', async () => {
    expect(await as.ada!.get('/terminals/T-9999/swap')).toMatchObject({ status: 404, body: { error: 'unknown terminal T-9999' } });
    expect(await as.ada!.get('/terminals/T-0002/swap')).toMatchObject({ status: 409, body: { error: 'terminal T-0002 never said its serial in a hello: the hub cannot name the unit the slot is taken from' } });
    expect(await as.ada!.post('/terminals/T-0001/swap', {})).toMatchObject({ status: 405 });
  });

  it('leaves an audit entry for each, given or refused, with who, the terminal and the swap', async () => {
    const given = (await as.ada!.get('/terminals/T-0001/swap')).body;
    const { entries } = (await as.ada!.get('/audit?action=terminal.swap_file&user=ada')).body;
    expect(entries[0]).toMatchObject({ principal: 'ada', action: 'terminal.swap_file', target: 'T-0001', outcome: 'ok', detail: `swap ${given.swapId}: unit SN-DEAD, seq 5` });
    expect(entries.map((e: { target: string; outcome: string }) => [e.target, e.outcome])).toContainEqual(['T-9999', 'failed']);
    expect(entries.map((e: { target: string; outcome: string }) => [e.target, e.outcome])).toContainEqual(['T-0002', 'failed']);
    expect((await as.ada!.get('/audit?user=vera')).body.entries).toMatchObject([{ action: 'GET /api/terminals/T-0001/swap', outcome: 'denied' }]);
    // Plain reads stay unaudited.
    expect((await as.ada!.get('/audit?user=ada')).body.entries.filter((e: { action: string }) => e.action.startsWith('GET '))).toEqual([]);
  });
});
