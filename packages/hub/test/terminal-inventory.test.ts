import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub } from '../../../test/support/hub-harness.js';
import { makeHeartbeat } from '../../../test/support/reports.js';
import { waitFor } from '../../../test/support/wait-for.js';
import type { InventoryFacts } from '../src/store/store.js';
import { TestAgent } from './helpers/hub-agent.js';
import { openTestStore } from './helpers/store.js';

const facts: InventoryFacts = { model: 'PAX A920', serial: 'SN-0042', firmware: null, agentVersion: '1.4.0' };

describe('the store keeps the latest inventory per terminal', () => {
  let t: Awaited<ReturnType<typeof openTestStore>>;
  beforeAll(async () => {
    t = await openTestStore();
  });
  afterAll(() => t.dispose());

  it('writes a new or changed inventory and leaves an unchanged one, its time too', async () => {
    expect(await t.store.inventory.record('T-1', facts, 1_000)).toBe(true);
    expect(await t.store.inventory.record('T-1', facts, 2_000)).toBe(false);
    expect(await t.store.inventory.all()).toEqual(new Map([['T-1', { ...facts, updatedAt: 1_000 }]]));
    expect(await t.store.inventory.record('T-1', { ...facts, firmware: 'PayDroid 8.1' }, 3_000)).toBe(true);
    expect(await t.store.inventory.record('T-1', { ...facts, model: null, serial: null, firmware: null }, 4_000)).toBe(true);
    expect((await t.store.inventory.all()).get('T-1')).toEqual({ model: null, serial: null, firmware: null, agentVersion: '1.4.0', updatedAt: 4_000 });
  });
});

describe('GET /api/terminals shows what each agent said in hello', () => {
  let h: Awaited<ReturnType<typeof startTestHub>>;
  const agents: TestAgent[] = [];
  beforeAll(async () => {
    h = await startTestHub();
  });
  afterEach(async () => {
    for (const a of agents.splice(0)) await a.close();
  });
  afterAll(() => h.cleanup());

  const terminals = async (query = '') => {
    const res = await fetch(`${h.api}/terminals${query}`);
    return { status: res.status, body: (await res.json()) as any };
  };
  const inventoryOf = async (id: string) => (await terminals()).body.find((t: any) => t.id === id).inventory;
  /** Connects, waits for the welcome and says hello. */
  const hello = async (terminal: string, token: string, message: Record<string, unknown>) => {
    const agent = await TestAgent.connect(h.hub.url, terminal, token);
    agents.push(agent);
    expect(await agent.next()).toMatchObject({ type: 'welcome' });
    agent.send({ type: 'hello', terminal, lastSeq: 0, ...message });
    return agent;
  };
  const hellos = () => h.log.entries.filter((e) => e.msg === 'agent hello').length;

  it('is null before a hello, then the hello inventory; a hello saying the same again writes nothing', async () => {
    expect(await inventoryOf('T-0001')).toBeNull();
    const firstAt = new Date(h.clock.now()).toISOString();
    await hello('T-0001', 'token-one', { agentVersion: '1.4.0', inventory: { model: 'PAX A920', serial: 'SN-0042' } });
    const expected = { model: 'PAX A920', serial: 'SN-0042', firmware: null, agentVersion: '1.4.0', updatedAt: firstAt };
    expect(await waitFor(async () => ((await inventoryOf('T-0001')) ? inventoryOf('T-0001') : undefined), 'the inventory')).toEqual(expected);
    // Every existing field stays beside it.
    expect((await terminals()).body.find((t: any) => t.id === 'T-0001')).toMatchObject({ connected: true, labels: {}, openAlarms: 0, silent: false });

    await agents.pop()!.close();
    await h.clock.advance(60_000);
    const before = hellos();
    const again = await hello('T-0001', 'token-one', { agentVersion: '1.4.0', inventory: { model: 'PAX A920', serial: 'SN-0042' } });
    await waitFor(() => (hellos() > before ? true : undefined), 'the second hello');
    // A report acked after the hello: the hub has handled the hello (on SQLite its write, had there been one, is done).
    again.send({ type: 'report', report: makeHeartbeat({ terminal: 'T-0001', seq: 1 }) });
    expect(await again.next()).toMatchObject({ type: 'ack' });
    expect(await inventoryOf('T-0001')).toEqual(expected);
  });

  it('takes a hello without inventory (an older agent) and filters by model and agentVersion', async () => {
    await hello('T-0002', 'token-two', { agentVersion: '1.2.0' });
    await waitFor(async () => ((await inventoryOf('T-0002')) ? true : undefined), 'the inventory of T-0002');
    expect(await inventoryOf('T-0002')).toMatchObject({ model: null, serial: null, firmware: null, agentVersion: '1.2.0' });

    const ids = async (query: string) => (await terminals(query)).body.map((t: any) => t.id);
    expect(await ids('?model=PAX%20A920')).toEqual(['T-0001']);
    expect(await ids('?agentVersion=1.2.0')).toEqual(['T-0002']);
    expect(await ids('?model=PAX%20A920&agentVersion=1.2.0')).toEqual([]);
    expect(await ids('')).toEqual(['T-0001', 'T-0002']);
    expect(await terminals('?firmware=x')).toMatchObject({ status: 400 });
  });
});
