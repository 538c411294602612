import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOperators } from '../../src/operators/operators.js';
import { cliPrincipal } from '../../src/operators/principal.js';
import { openStore } from '../../src/store/open-store.js';
import type { HubStore } from '../../src/store/store.js';
import { startTestHub } from '../../../../test/support/hub-harness.js';
import { makeFaultReport, makeRepairFault } from '../../../../test/support/reports.js';
import { waitFor } from '../../../../test/support/wait-for.js';
import { ConsoleClient } from '../../../../test/support/console-client.js';
import { TestAgent } from '../helpers/hub-agent.js';

/** The console's work order pages and forms over HTTP (docs/console.md), each form doing what the API does. */
describe('the console work orders', () => {
  let h: Awaited<ReturnType<typeof startTestHub>>;
  let store: HubStore;
  let agent: TestAgent;
  let base: string;
  let orderId: number;
  let ref: string;
  let paperAlarm: number;
  const as = async (user: string) => {
    const c = new ConsoleClient(base);
    await c.login(user, `${user}-password`);
    await c.get('/workorders?lang=en');
    return c;
  };
  const lastAudit = async (action: string) => (await store.operators.audit({ action, limit: 1 }))[0];

  beforeAll(async () => {
    h = await startTestHub({ authThrottle: { burst: 1_000 }, workOrders: { publicUrl: 'https://hub.example.test' } });
    base = `http://127.0.0.1:${h.hub.address.port}`;
    store = await openStore(h.db);
    const ops = createOperators(store.operators, h.clock, { scrypt: { N: 1024, r: 8, p: 1 } });
    for (const [name, role] of [['vera', 'viewer'], ['tess', 'technician'], ['otto', 'operator'], ['ada', 'admin']] as const) await ops.users.add(name, role, `${name}-password`, cliPrincipal('root'));
    agent = await TestAgent.connect(h.hub.url, 'T-0001', 'token-one');
    await agent.next();
    await agent.report(makeRepairFault({ seq: 1 }));
    await agent.report(makeFaultReport({ seq: 2 }));
    await h.hub.workOrdersTaken();
    ({ id: orderId, ref } = await waitFor(async () => (await store.workorders.list({ limit: 1 }))[0], 'the order from the repair request'));
    paperAlarm = await waitFor(async () => (await store.alarms.list({ code: 'printer.paper_end', limit: 1 }))[0]?.id, 'the paper alarm');
  });
  afterAll(async () => {
    await agent.close();
    await store.close();
    await h.cleanup();
  });

  it('lists the orders with their SLA, filters them, finds one by the reference on the receipt, and is in the navigation', async () => {
    const c = await as('vera');
    const list = await c.get('/workorders');
    expect(list.status).toBe(200);
    expect(list.text).toContain('<a href="/workorders" aria-current="page">Work orders</a>');
    expect(list.text).toContain(`<a href="/workorders/${orderId}"><code>${ref}</code></a>`);
    expect(list.text).toMatch(/Accept by <time datetime="2026-01-02T04:04:05.000Z">/);
    expect((await c.get('/workorders?state=submitted&kind=repair&terminal=T-0001')).text).toContain(ref);
    for (const q of ['state=closed', 'kind=lost', 'terminal=T-0002']) expect((await c.get(`/workorders?${q}`)).text, q).not.toContain(ref);
    expect((await c.get('/workorders?state=repaired')).status).toBe(400);
    // As a merchant reads it out: any case, without the WO-.
    expect((await c.get(`/workorders?ref=${ref.slice(3).toLowerCase()}`)).text).toContain(`/workorders/${orderId}"`);
    const none = await c.get('/workorders?ref=WO-XXXXXX');
    expect(none.text).toContain('No work orders match.');
    expect(none.text).not.toContain(ref);
  });

  it('downloads the list as CSV behind the session, with the filters', async () => {
    expect((await new ConsoleClient(base).get('/workorders.csv')).status).toBe(303);
    const c = await as('vera');
    expect((await c.get('/workorders')).text).toContain('href="/workorders.csv"');
    const csv = await c.get('/workorders.csv?state=submitted');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const lines = csv.text.trimEnd().split('\r\n');
    expect(lines[0]).toBe('id,ref,terminal,kind,state,serial,currentSerial,code,severity,assignee,openedAt,updatedAt,closedAt,expectedAt,proven');
    expect(lines.slice(1)).toEqual([expect.stringContaining(`${orderId},${ref},T-0001,repair,submitted,SN-TEST-0001`)]);
    expect((await c.get('/workorders.csv?state=closed')).text.trimEnd().split('\r\n')).toHaveLength(1);
  });

  it('shows one order: facts, merchant page, history, repair request; offers only the moves the table allows', async () => {
    const c = await as('otto');
    const page = (await c.get(`/workorders/${orderId}`)).text;
    expect(page).toContain('<h1>Work order ' + ref);
    expect(page).toMatch(/<dt>Serial<\/dt><dd>SN-TEST-0001<\/dd>/);
    expect(page).toMatch(/href="https:\/\/hub\.example\.test\/wo\/[A-Za-z0-9_-]{22}"/);
    expect(page).toMatch(/<tr data-action="opened"><td><time[^>]*>[^<]+<\/time><\/td><td>system<\/td><td>opened<\/td><td> → submitted<\/td>/);
    expect(page).toContain('The printer prints blank receipts');
    expect(page).toMatch(/<dt>Part<\/dt><dd>printer · TM-T20 · PR-1<\/dd>/);
    expect(page).toMatch(/<dt>Purchase date<\/dt><dd>2024-03-01<\/dd>/);
    const moves = [...page.matchAll(/<button type="submit" name="to" value="([a-z_]+)"/g)].map((m) => m[1]);
    expect(moves).toEqual(['accepted', 'cancelled']);
    expect(page).toContain('hx-get="/workorders/' + orderId + '?fragment=live"');
    // The assignee select: enabled users who can work the order (technicians first), not the viewer.
    const options = [...page.matchAll(/<option value="([a-z]+)">[a-z]+ \(/g)].map((m) => m[1]);
    expect(options).toEqual(['tess', 'ada', 'otto']);
  });

  it('moves the order through the form, as the operator, audited as workorder.transition; a refused move is 409 with the reason', async () => {
    const c = await as('otto');
    await c.get(`/workorders/${orderId}`);
    const refused = await c.post(`/workorders/${orderId}/transition`, { to: 'closed', csrf: c.csrf });
    expect(refused.status).toBe(409);
    expect(refused.text).toContain(`work order ${ref} cannot go from submitted to closed (allowed: accepted, cancelled)`);
    expect(await lastAudit('workorder.transition')).toMatchObject({ principal: 'otto', outcome: 'failed' });
    const res = await c.post(`/workorders/${orderId}/transition`, { to: 'accepted', comment: 'technician <booked>', csrf: c.csrf });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/workorders/${orderId}`);
    expect(await store.workorders.get(orderId)).toMatchObject({ state: 'accepted' });
    expect(await lastAudit('workorder.transition')).toMatchObject({ principal: 'otto', outcome: 'ok', target: String(orderId), detail: 'to accepted' });
    const page = (await c.get(`/workorders/${orderId}`)).text;
    expect(page).toMatch(/<td>otto<\/td><td>moved<\/td><td>submitted → accepted<\/td><td class="comment-text">technician &lt;booked&gt;<\/td>/);
    expect([...page.matchAll(/name="to" value="([a-z_]+)"/g)].map((m) => m[1])).toEqual(['spare_sent', 'in_repair', 'cancelled']);
  });

  it('shows the swap when a spare takes over the slot, and the unit taken out in the spare pool', async () => {
    agent.send({ type: 'hello', terminal: 'T-0001', agentVersion: '1.0.0', lastSeq: 2, inventory: { model: 'X990', serial: 'SN-SPARE-9' } });
    await waitFor(async () => (await store.workorders.swaps({ orderId }))[0], 'the swap');
    const c = await as('vera');
    const page = (await c.get(`/workorders/${orderId}`)).text;
    expect(page).toMatch(/<dt>Serial in the slot now<\/dt><dd>SN-SPARE-9<\/dd>/);
    expect(page).toMatch(/<table id="wo-swaps">[\s\S]*SN-TEST-0001 → SN-SPARE-9[\s\S]*waiting for the spare&#39;s passing full self-test/);
    expect(page).toContain('<tr data-action="swap">');
    const spares = (await c.get('/spares')).text;
    expect(spares).toMatch(/<tr data-serial="SN-TEST-0001"><td><code>SN-TEST-0001<\/code><\/td><td data-state="swapped_out">swapped out, awaiting repair<\/td><td><a href="\/terminals\/T-0001">T-0001<\/a><\/td><td><a href="\/workorders\/\d+">/);
  });

  it('takes an override only with a comment', async () => {
    const c = await as('otto');
    await c.get(`/workorders/${orderId}`);
    for (const to of ['in_repair', 'returned']) expect((await c.post(`/workorders/${orderId}/transition`, { to, csrf: c.csrf })).status).toBe(303);
    expect((await c.get(`/workorders/${orderId}`)).text).toContain('name="override" value="true"');
    const bare = await c.post(`/workorders/${orderId}/transition`, { to: 'verified', override: 'true', csrf: c.csrf });
    expect(bare.status).toBe(409);
    expect(bare.text).toContain('an override needs a comment');
    const noProof = await c.post(`/workorders/${orderId}/transition`, { to: 'verified', comment: 'looks fine', csrf: c.csrf });
    expect(noProof.status).toBe(409);
    expect(noProof.text).toMatch(/no passing full self-test from T-0001 since the repair/);
    expect(await store.workorders.get(orderId)).toMatchObject({ state: 'returned' });
    expect((await c.post(`/workorders/${orderId}/transition`, { to: 'verified', override: 'true', comment: 'checked on site', csrf: c.csrf })).status).toBe(303);
    expect(await store.workorders.get(orderId)).toMatchObject({ state: 'verified' });
    expect((await c.get(`/workorders/${orderId}`)).text).toMatch(/<td>otto<\/td><td>verified by override<\/td><td>returned → verified<\/td><td class="comment-text">checked on site<\/td>/);
    expect(await lastAudit('workorder.transition')).toMatchObject({ detail: 'to verified (override)', outcome: 'ok' });
  });

  it('assigns an operator (not a viewer) and edits the details, each audited', async () => {
    const c = await as('otto');
    await c.get(`/workorders/${orderId}`);
    expect((await c.post(`/workorders/${orderId}/assign`, { user: 'vera', csrf: c.csrf })).status).toBe(404);
    expect((await c.post(`/workorders/${orderId}/assign`, { user: 'ada', comment: 'yours', csrf: c.csrf })).status).toBe(303);
    expect(await store.workorders.get(orderId)).toMatchObject({ assignee: 'ada' });
    expect(await lastAudit('workorder.assign')).toMatchObject({ principal: 'otto', outcome: 'ok', detail: 'assignee ada' });
    expect((await c.post(`/workorders/${orderId}/details`, { contact: 'Ms Li 138-0000-0000', address: '1 Nanjing Rd', notes: '', csrf: c.csrf })).status).toBe(303);
    expect(await store.workorders.get(orderId)).toMatchObject({ contact: 'Ms Li 138-0000-0000', address: '1 Nanjing Rd', notes: null });
    expect(await lastAudit('workorder.details')).toMatchObject({ principal: 'otto', outcome: 'ok', target: String(orderId) });
    const page = (await c.get(`/workorders/${orderId}`)).text;
    expect(page).toMatch(/<dt>Assignee<\/dt><dd>ada<\/dd>/);
    expect(page).toMatch(/<dt>Contact<\/dt><dd>Ms Li 138-0000-0000<\/dd>/);
    expect(page).toContain('<option value="ada" selected>');
    expect((await c.post(`/workorders/${orderId}/assign`, { user: '', csrf: c.csrf })).status).toBe(303);
    expect(await store.workorders.get(orderId)).toMatchObject({ assignee: null });
  });

  it('opens an order from an alarm page, which then links it', async () => {
    const c = await as('otto');
    const before = (await c.get(`/alarms/${paperAlarm}`)).text;
    expect(before).toContain('<form method="post" action="/workorders"');
    expect(before).toContain(`<input type="hidden" name="alarm" value="${paperAlarm}">`);
    const res = await c.post('/workorders', { terminal: 'T-0001', alarm: String(paperAlarm), comment: 'from the alarm', csrf: c.csrf });
    expect(res.status).toBe(303);
    const id = Number(/^\/workorders\/(\d+)$/.exec(res.headers.get('location')!)![1]);
    const order = (await store.workorders.get(id))!;
    expect(order).toMatchObject({ terminal: 'T-0001', code: 'printer.paper_end', alarmId: paperAlarm, openedBy: 'otto', currentSerial: 'SN-SPARE-9' });
    expect(await lastAudit('workorder.open')).toMatchObject({ principal: 'otto', outcome: 'ok', target: order.ref });
    const after = (await c.get(`/alarms/${paperAlarm}`)).text;
    expect(after).toContain(`<p id="alarm-workorder"><a href="/workorders/${id}"><code>${order.ref}</code></a>`);
    expect(after).not.toContain('<form method="post" action="/workorders"');
    const again = await c.post('/workorders', { terminal: 'T-0001', alarm: String(paperAlarm), csrf: c.csrf });
    expect(again.status).toBe(409);
    expect(again.text).toContain(`already has work order ${order.ref} open for printer.paper_end`);
    expect((await c.post('/workorders', { terminal: 'T-9999', csrf: c.csrf })).status).toBe(404);
  });

  it('marks a terminal lost from its page (a comment needed) and unlocks it', async () => {
    const c = await as('otto');
    const page = (await c.get('/terminals/T-0002')).text;
    expect(page).toContain('action="/terminals/T-0002/lost"');
    expect((await c.post('/terminals/T-0002/lost', { comment: '', csrf: c.csrf })).status).toBe(400);
    const res = await c.post('/terminals/T-0002/lost', { comment: 'stolen from the shop', csrf: c.csrf });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/terminals/T-0002');
    const lost = (await store.workorders.openFor('T-0002'))[0]!;
    expect(lost).toMatchObject({ kind: 'lost', code: 'terminal.lost', openedBy: 'otto' });
    expect(await lastAudit('terminal.lost')).toMatchObject({ principal: 'otto', outcome: 'ok', target: 'T-0002', detail: lost.ref });
    const marked = (await c.get('/terminals/T-0002')).text;
    expect(marked).toContain(`Marked lost (work order ${lost.ref})`);
    expect(marked).toContain('action="/terminals/T-0002/unlock"');
    expect(marked).toMatch(/<ul id="terminal-workorders"><li><a href="\/workorders\/\d+"><code>WO-/);
    expect((await c.post('/terminals/T-0002/lost', { comment: 'again', csrf: c.csrf })).status).toBe(409);
    expect((await c.post('/terminals/T-0002/unlock', { comment: 'found', csrf: c.csrf })).status).toBe(303);
    expect(await store.workorders.get(lost.id)).toMatchObject({ state: 'closed' });
    expect(await lastAudit('terminal.unlock')).toMatchObject({ principal: 'otto', outcome: 'ok', detail: lost.ref });
    expect((await c.post('/terminals/T-0002/unlock', { csrf: c.csrf })).status).toBe(409);
  });

  it('lists a terminal\'s orders open ones first, then the newest', async () => {
    const otto = await as('otto');
    const newest = (await store.workorders.list({ terminal: 'T-0001', limit: 1 }))[0]!;
    await otto.get(`/workorders/${newest.id}`);
    expect((await otto.post(`/workorders/${newest.id}/transition`, { to: 'cancelled', csrf: otto.csrf })).status).toBe(303);
    const c = await as('vera');
    const page = (await c.get('/terminals/T-0001')).text;
    const states = [...page.matchAll(/<li><a href="\/workorders\/\d+"><code>WO-[^<]+<\/code><\/a> <span class="wo-state" data-state="([a-z_]+)"/g)].map((m) => m[1]);
    expect(states).toEqual(['verified', 'cancelled']);
    expect(page).not.toContain('action="/terminals/T-0001/lost"');
  });

  it('refuses every new POST without the CSRF token, and a viewer, with 403, doing nothing', async () => {
    const posts: [string, Record<string, string>][] = [
      ['/workorders', { terminal: 'T-0002' }],
      [`/workorders/${orderId}/transition`, { to: 'closed' }],
      [`/workorders/${orderId}/assign`, { user: 'otto' }],
      [`/workorders/${orderId}/details`, { notes: 'x' }],
      ['/terminals/T-0002/lost', { comment: 'x' }],
      ['/terminals/T-0002/unlock', {}],
    ];
    const otto = await as('otto');
    const vera = await as('vera');
    const viewerPage = (await vera.get(`/workorders/${orderId}`)).text;
    expect(viewerPage).not.toContain(`action="/workorders/${orderId}/transition"`);
    for (const [path, fields] of posts) {
      expect((await otto.post(path, fields)).status, path).toBe(403);
      expect((await otto.post(path, { ...fields, csrf: otto.csrf }, { origin: 'http://evil.example' })).status, path).toBe(403);
      expect((await vera.post(path, { ...fields, csrf: vera.csrf })).status, path).toBe(403);
    }
    expect(await store.workorders.get(orderId)).toMatchObject({ state: 'verified', notes: null, assignee: null });
    expect(await store.workorders.openFor('T-0002')).toEqual([]);
    expect(await store.operators.audit({ principal: 'vera', limit: 1 })).toMatchObject([{ outcome: 'denied', action: 'POST /terminals/T-0002/unlock' }]);
  });

  it('lets a technician work the order assigned to them, attach a photo to it, and download it; not another order', async () => {
    const otto = await as('otto');
    await otto.get('/terminals/T-0002');
    expect((await otto.post('/workorders', { terminal: 'T-0002', comment: 'keypad sticks', csrf: otto.csrf })).status).toBe(303);
    const order = (await store.workorders.list({ terminal: 'T-0002', limit: 1 }))[0]!;
    const tess = await as('tess');
    const before = await tess.get(`/workorders/${order.id}`);
    expect(before.text).not.toContain(`action="/workorders/${order.id}/transition"`);
    expect((await tess.post(`/workorders/${order.id}/transition`, { to: 'accepted', csrf: tess.csrf })).status).toBe(403);

    await otto.get(`/workorders/${order.id}`);
    expect((await otto.post(`/workorders/${order.id}/assign`, { user: 'tess', csrf: otto.csrf })).status).toBe(303);
    const mine = await tess.get(`/workorders/${order.id}`);
    expect(mine.text).toContain(`action="/workorders/${order.id}/transition"`);
    expect(mine.text).toContain(`action="/workorders/${order.id}/attachments" enctype="multipart/form-data"`);
    expect(mine.text).not.toContain(`action="/workorders/${order.id}/assign"`);
    expect((await tess.post(`/workorders/${order.id}/transition`, { to: 'accepted', comment: 'on my way', csrf: tess.csrf })).status).toBe(303);

    const png = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(32, 1)]);
    const upload = (fields: Record<string, string>, file: Blob, name: string) => {
      const form = new FormData();
      for (const [k, v] of Object.entries(fields)) form.append(k, v);
      form.append('file', file, name);
      return fetch(`${base}/workorders/${order.id}/attachments`, { method: 'POST', redirect: 'manual', headers: { cookie: tess.cookieHeader(), origin: base }, body: form });
    };
    expect((await upload({}, new Blob([png], { type: 'image/png' }), 'keypad.png')).status).toBe(403);
    const fake = await upload({ csrf: tess.csrf }, new Blob(['<script>alert(1)</script>'], { type: 'image/png' }), 'x.png');
    expect({ status: fake.status, text: await fake.text() }).toMatchObject({ status: 415, text: expect.stringContaining('the bytes are not image/png') });
    expect((await upload({ csrf: tess.csrf }, new Blob([png], { type: 'image/png' }), '键盘 keypad.png')).status).toBe(303);
    expect(await lastAudit('workorder.attach')).toMatchObject({ principal: 'tess', outcome: 'ok', target: String(order.id) });
    const [file] = await store.workorders.attachments(order.id);
    const shown = (await tess.get(`/workorders/${order.id}`)).text;
    expect(shown).toContain(`<a href="/workorders/${order.id}/attachments/${file!.id}" download>键盘 keypad.png</a>`);
    expect(shown).toMatch(/<tr data-action="attachment">/);
    const download = await fetch(`${base}/workorders/${order.id}/attachments/${file!.id}`, { headers: { cookie: tess.cookieHeader() } });
    expect(download.headers.get('x-content-type-options')).toBe('nosniff');
    expect(download.headers.get('content-disposition')).toMatch(/^attachment;/);
    expect(Buffer.from(await download.arrayBuffer()).equals(png)).toBe(true);
    // Not theirs: the first order is nobody's.
    const form = new FormData();
    form.append('csrf', tess.csrf);
    form.append('file', new Blob([png], { type: 'image/png' }), 'k.png');
    const other = await fetch(`${base}/workorders/${orderId}/attachments`, { method: 'POST', redirect: 'manual', headers: { cookie: tess.cookieHeader(), origin: base }, body: form });
    expect(other.status).toBe(403);
    expect(await store.workorders.attachments(orderId)).toEqual([]);
  });

  it('gives an admin the swap file of a dead terminal from its page, audited, and nobody else', async () => {
    const ada = await as('ada');
    expect((await ada.get('/terminals/T-0001')).text).toContain('<a href="/terminals/T-0001/swap" download>');
    const file = await ada.get('/terminals/T-0001/swap');
    expect(file.status).toBe(200);
    expect(file.headers.get('content-disposition')).toBe('attachment; filename="swap-T-0001.json"');
    expect(JSON.parse(file.text)).toMatchObject({ format: 'posdiag-swap', source: 'hub', slot: { terminal: 'T-0001' }, config: { terminal: { id: 'T-0001' }, uplink: { token: 'token-one' } } });
    expect(await lastAudit('terminal.swap_file')).toMatchObject({ principal: 'ada', outcome: 'ok', target: 'T-0001' });
    const otto = await as('otto');
    expect((await otto.get('/terminals/T-0001')).text).not.toContain('/terminals/T-0001/swap');
    const refused = await otto.get('/terminals/T-0001/swap');
    expect(refused.status).toBe(403);
    expect(refused.text).not.toContain('token-one');
  });
});
