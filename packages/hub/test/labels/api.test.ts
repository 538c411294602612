import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOperators } from '../../src/operators/operators.js';
import { cliPrincipal } from '../../src/operators/principal.js';
import { openStore } from '../../src/store/open-store.js';
import type { HubStore } from '../../src/store/store.js';
import { startTestHub, TEST_TOKENS } from '../../../../test/support/hub-harness.js';
import { makeFaultReport } from '../../../../test/support/reports.js';
import { waitFor } from '../../../../test/support/wait-for.js';
import { TestAgent } from '../helpers/hub-agent.js';

type Harness = Awaited<ReturnType<typeof startTestHub>>;

/** The label sheet (CSV import and export) and the label filters of the lists, through the API as users. */
describe('terminal labels by CSV, and label filters', () => {
  let h: Harness;
  let store: HubStore;
  const agents: TestAgent[] = [];
  const token: Record<string, string> = { admin: 'api-token-file-secret' };
  const call = async (path: string, as: string, init: RequestInit & { type?: string } = {}) => {
    const headers: Record<string, string> = { authorization: `Bearer ${token[as]}` };
    if (init.type) headers['content-type'] = init.type;
    const res = await fetch(`${h.api}${path}`, { ...init, headers });
    const text = await res.text();
    return { status: res.status, type: res.headers.get('content-type'), text, body: res.headers.get('content-type')?.startsWith('application/json') ? JSON.parse(text) : undefined };
  };
  const upload = (csv: string, as = 'otto', query = '') => call(`/terminals/labels${query}`, as, { method: 'POST', body: csv, type: 'text/csv' });
  const labelsOf = async () => Object.fromEntries((await call('/terminals', 'vera')).body.map((t: any) => [t.id, t.labels]));

  beforeAll(async () => {
    h = await startTestHub({ apiToken: 'api-token-file-secret', tokens: { ...TEST_TOKENS, 'T-0003': 'token-three' } });
    store = await openStore(h.db);
    const ops = createOperators(store.operators, h.clock, { scrypt: { N: 1024, r: 8, p: 1 } });
    for (const [name, role] of [['vera', 'viewer'], ['otto', 'operator']] as const) {
      await ops.users.add(name, role, `${name}-password`, cliPrincipal('root'));
      token[name] = (await ops.users.issueToken(name, 'test', cliPrincipal('root'))).token;
    }
  });
  afterAll(async () => {
    for (const a of agents) await a.close();
    await store.close();
    await h.cleanup();
  });

  it('imports a sheet with quoting and tags, merges by default, replaces on request, and audits it', async () => {
    const sheet = 'terminal,merchant,region,carrier,tags\r\nT-0001,"Li, ""Big"" Shop",north,cm,vip; kiosk\r\nT-0002,"Two\nLines",south,,\r\n';
    expect(await upload(sheet)).toMatchObject({ status: 200, body: { updated: 2 } });
    expect(await labelsOf()).toEqual({
      'T-0001': { merchant: 'Li, "Big" Shop', region: 'north', carrier: 'cm', tags: 'vip;kiosk' },
      'T-0002': { merchant: 'Two\nLines', region: 'south' },
      'T-0003': {},
    });
    // merge: only the given column changes; an empty cell removes that label.
    expect(await upload('terminal,region\nT-0001,east\nT-0002,\n')).toMatchObject({ status: 200, body: { updated: 2 } });
    expect(await labelsOf()).toMatchObject({ 'T-0001': { merchant: 'Li, "Big" Shop', region: 'east', carrier: 'cm' }, 'T-0002': { merchant: 'Two\nLines' } });
    expect(await upload('terminal,region\nT-0001,north\n', 'otto', '?mode=replace')).toMatchObject({ status: 200, body: { updated: 1 } });
    expect((await labelsOf())['T-0001']).toEqual({ region: 'north' });
    const { entries } = (await call('/audit?action=terminal.labels.import', 'admin')).body;
    expect(entries.map((e: any) => [e.principal, e.outcome, e.detail])).toEqual([
      ['otto', 'ok', 'mode replace, 1 terminals'],
      ['otto', 'ok', 'mode merge, 2 terminals'],
      ['otto', 'ok', 'mode merge, 2 terminals'],
    ]);
  });

  it('refuses a bad sheet whole, naming the row; a viewer, another type, an oversize body', async () => {
    const before = await labelsOf();
    expect(await upload('terminal,region\nT-0002,west\nT-0009,west\n')).toMatchObject({ status: 400, body: { error: 'bad label sheet: row 3: unknown terminal T-0009' } });
    expect(await upload('terminal,region\nT-0002,west\nT-0003,"west\n')).toMatchObject({ status: 400, body: { error: 'bad label sheet: row 3: a quoted field is not closed' } });
    expect(await labelsOf()).toEqual(before);
    // Refused inside the store's transaction (T-0003 would pass 32 labels), after T-0002's row was applied: undone.
    const many = Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`k${i}`, 'v']));
    expect(await call('/terminals/T-0003/labels', 'otto', { method: 'PUT', body: JSON.stringify({ labels: many }) })).toMatchObject({ status: 200 });
    expect(await upload('terminal,region,floor\nT-0002,west,1\nT-0003,west,1\n')).toMatchObject({ status: 400, body: { error: 'bad label sheet: row 3: terminal T-0003 would have more than 32 labels' } });
    expect(await labelsOf()).toEqual({ ...before, 'T-0003': many });
    expect(await call('/terminals/T-0003/labels', 'otto', { method: 'PUT', body: JSON.stringify({ labels: before['T-0003'] }) })).toMatchObject({ status: 200 });
    expect(await upload('terminal,region\nT-0002,west\n', 'vera')).toMatchObject({ status: 403 });
    expect(await call('/terminals/labels', 'otto', { method: 'POST', body: '{}', type: 'application/json' })).toMatchObject({ status: 415, body: { error: 'the label sheet is text/csv, not application/json' } });
    expect(await upload('terminal\n', 'otto', '?mode=wipe')).toMatchObject({ status: 400, body: { error: expect.stringMatching(/^bad query: mode/) } });
    expect(await upload(`terminal,region\n${'T-0002,west\n'.repeat(400_000)}`)).toMatchObject({ status: 413, body: { error: 'body larger than 4194304 bytes' } });
    expect(await labelsOf()).toEqual(before);
  });

  it('exports every terminal as a sheet that imports back unchanged', async () => {
    await upload('terminal,merchant,floor\nT-0003,"Zhang, ""Z""",2\n');
    const before = await labelsOf();
    const exported = await call('/terminals/labels.csv', 'vera');
    expect(exported).toMatchObject({ status: 200, type: 'text/csv; charset=utf-8' });
    expect(exported.text.split('\r\n')[0]).toBe('terminal,merchant,region,carrier,tags,floor');
    expect(await upload(exported.text, 'otto', '?mode=replace')).toMatchObject({ status: 200, body: { updated: 3 } });
    expect(await labelsOf()).toEqual(before);
  });

  it('filters terminals, open faults and reports by label', async () => {
    await upload('terminal,region,tags\nT-0001,north,vip\nT-0002,south,\nT-0003,north,\n', 'otto', '?mode=replace');
    for (const [terminal, t] of Object.entries({ 'T-0001': 'token-one', 'T-0002': 'token-two' })) {
      const agent = await TestAgent.connect(h.hub.url, terminal, t);
      agents.push(agent);
      await agent.next();
      expect(await agent.report(makeFaultReport({ terminal, seq: 1 }))).toMatchObject({ type: 'ack' });
    }
    const ids = (list: any[]) => list.map((t) => t.id).sort();
    expect(ids((await call('/terminals?label.region=north', 'vera')).body)).toEqual(['T-0001', 'T-0003']);
    expect(ids((await call('/terminals?label.region=north&label.tags=vip', 'vera')).body)).toEqual(['T-0001']);
    expect((await call('/terminals?label.Region=north', 'vera'))).toMatchObject({ status: 400, body: { error: expect.stringMatching(/^bad query: label\.Region/) } });
    expect((await call('/terminals?region=north', 'vera'))).toMatchObject({ status: 400 });
    const faults = await waitFor(async () => {
      const { body } = await call('/faults?state=open', 'vera');
      return Object.keys(body.terminals).length === 2 ? body : undefined;
    }, 'both faults open');
    expect(Object.keys(faults.terminals).sort()).toEqual(['T-0001', 'T-0002']);
    expect(Object.keys((await call('/faults?state=open&label.region=south', 'vera')).body.terminals)).toEqual(['T-0002']);
    expect((await call('/faults?state=open&label.region=west', 'vera')).body.terminals).toEqual({});
    expect((await call('/reports?kind=fault&label.region=south', 'vera')).body.map((r: any) => r.terminal)).toEqual(['T-0002']);
    expect((await call('/reports?label.region=west', 'vera')).body).toEqual([]);
    expect((await call('/reports?kind=fault&label.region=north&terminal=T-0002', 'vera')).body).toEqual([]);
  });
});
