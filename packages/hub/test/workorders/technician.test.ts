import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOperators } from '../../src/operators/operators.js';
import { cliPrincipal } from '../../src/operators/principal.js';
import { openStore } from '../../src/store/open-store.js';
import type { HubStore } from '../../src/store/store.js';
import { startTestHub } from '../../../../test/support/hub-harness.js';
import type { TestAgent } from '../helpers/hub-agent.js';
import { apiClient, terminalWithOrder } from './support.js';

type Harness = Awaited<ReturnType<typeof startTestHub>>;
const ADMIN = cliPrincipal('root');

/**
 * The technician role: between viewer and operator. A technician reads everything, works the repair
 * orders assigned to them (moves, details) and nothing else: not another's order, not an assignment,
 * not a command to a terminal. Orders are assigned to technicians or above, never to a viewer.
 */
describe('work orders: technicians work the orders assigned to them', () => {
  let h: Harness;
  let store: HubStore;
  let agent: TestAgent;
  const as: Record<string, ReturnType<typeof apiClient>> = {};
  const tokens: Record<string, string> = {};
  let id: number;

  beforeAll(async () => {
    h = await startTestHub({ apiToken: 'file-token', authThrottle: { burst: 1_000 } });
    store = await openStore(h.db);
    const ops = createOperators(store.operators, h.clock, { scrypt: { N: 1024, r: 8, p: 1 } });
    for (const [name, role] of [['vera', 'viewer'], ['tess', 'technician'], ['tom', 'technician'], ['otto', 'operator']] as const) {
      await ops.users.add(name, role, `${name}-password`, ADMIN);
      tokens[name] = (await ops.users.issueToken(name, 'test', ADMIN)).token;
      as[name] = apiClient(() => h.api, tokens[name]);
    }
    ({ agent, id } = await terminalWithOrder(h.hub, () => as.otto!.get('/workorders?terminal=T-0001')));
  });
  afterAll(async () => {
    await agent.close();
    await store.close();
    await h.cleanup();
  });

  it('lets a technician read but not command a terminal, nor move an order not assigned to them', async () => {
    expect(await as.tess!.get(`/workorders/${id}`)).toMatchObject({ status: 200, body: { state: 'submitted', assignee: null } });
    expect(await as.tess!.post('/terminals/T-0001/commands', { name: 'ping' })).toMatchObject({ status: 403, body: { error: 'tess is a technician; this needs the operator role' } });
    expect(await as.tess!.post(`/workorders/${id}/transition`, { to: 'accepted' })).toMatchObject({ status: 403, body: { error: expect.stringMatching(/tess is a technician: work order \S+ is assigned to nobody/) } });
    expect(await as.vera!.post(`/workorders/${id}/transition`, { to: 'accepted' })).toMatchObject({ status: 403, body: { error: 'vera is a viewer; this needs the technician role' } });
  });

  it('assigns to a technician, never to a viewer, and only an operator assigns', async () => {
    expect(await as.otto!.post(`/workorders/${id}/assign`, { user: 'vera' })).toMatchObject({ status: 404, body: { error: 'no enabled user vera with the technician role or above' } });
    expect(await as.tess!.post(`/workorders/${id}/assign`, { user: 'tess' })).toMatchObject({ status: 403, body: { error: 'tess is a technician; this needs the operator role' } });
    expect(await as.otto!.post(`/workorders/${id}/assign`, { user: 'tess', comment: 'nearest to the shop' })).toMatchObject({ status: 200, body: { assignee: 'tess' } });
  });

  it('lets the assigned technician move the order and add details, and not another technician', async () => {
    expect(await as.tess!.post(`/workorders/${id}/transition`, { to: 'accepted', comment: 'on my way' })).toMatchObject({ status: 200, body: { state: 'accepted' } });
    expect(await as.tess!.post(`/workorders/${id}/details`, { contact: '+86 138 0000 0000' })).toMatchObject({ status: 200, body: { contact: '+86 138 0000 0000' } });
    expect(await as.tom!.post(`/workorders/${id}/transition`, { to: 'in_repair' })).toMatchObject({ status: 403, body: { error: expect.stringMatching(/assigned to tess/) } });
    const photo = (token: string) => fetch(`${h.api}/workorders/${id}/attachments?name=front.jpg`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'image/jpeg' }, body: new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16]) });
    expect((await photo(tokens.tom!)).status).toBe(403);
    expect((await photo(tokens.tess!)).status).toBe(201);
    const history = (await as.otto!.get(`/workorders/${id}`)).body.history as { actor: string; action: string }[];
    expect(history.map((e) => `${e.actor}:${e.action}`)).toEqual(['system:opened', 'otto:assign', 'tess:transition', 'tess:details', 'tess:attachment']);
    const denied = await store.operators.audit({ limit: 50 }); // newest first
    expect(denied.filter((e) => e.outcome === 'denied' && e.principal === 'tom').map((e) => e.action)).toEqual(['workorder.attach', 'workorder.transition']);
  });
});
