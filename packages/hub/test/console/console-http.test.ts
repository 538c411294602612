import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOperators } from '../../src/operators/operators.js';
import { cliPrincipal } from '../../src/operators/principal.js';
import { openStore } from '../../src/store/open-store.js';
import type { HubStore } from '../../src/store/store.js';
import { startTestHub } from '../../../../test/support/hub-harness.js';
import { makeFaultReport } from '../../../../test/support/reports.js';
import { waitFor } from '../../../../test/support/wait-for.js';
import { ConsoleClient } from '../../../../test/support/console-client.js';
import { TestAgent } from '../helpers/hub-agent.js';

/** The console at the HTTP level: login, the session cookie, CSRF, roles, the CSP (docs/console.md). */
describe('the web console over HTTP', () => {
  let h: Awaited<ReturnType<typeof startTestHub>>;
  let store: HubStore;
  let agent: TestAgent;
  let base: string;
  let alarmId: number;
  beforeAll(async () => {
    h = await startTestHub({ authThrottle: { burst: 1_000 } });
    base = `http://127.0.0.1:${h.hub.address.port}`;
    store = await openStore(h.db);
    const ops = createOperators(store.operators, h.clock, { scrypt: { N: 1024, r: 8, p: 1 } });
    for (const [name, role] of [['vera', 'viewer'], ['otto', 'operator'], ['ada', 'admin']] as const) await ops.users.add(name, role, `${name}-password`, cliPrincipal('root'));
    agent = await TestAgent.connect(h.hub.url, 'T-0001', 'token-one');
    await agent.next();
    await agent.report(makeFaultReport({ seq: 1 }));
    alarmId = await waitFor(async () => (await store.alarms.list({ limit: 1 }))[0]?.id, 'the alarm');
  });
  afterAll(async () => {
    await agent.close();
    await store.close();
    await h.cleanup();
  });

  it('sends a page to the login, and logs in with a session cookie that is HttpOnly and SameSite', async () => {
    const c = new ConsoleClient(base);
    const first = await c.get('/alarms?severity=major');
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe('/login?next=%2Falarms%3Fseverity%3Dmajor');
    const form = await c.get('/login');
    expect(form.status).toBe(200);
    expect(form.text).toMatch(/<form method="post" action="\/login">/);
    expect(form.text).toMatch(/name="user"/);
    expect(form.text).toMatch(/name="password" type="password"/);
    const res = await c.post('/login', { user: 'otto', password: 'otto-password', csrf: c.csrf, next: '/alarms' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/alarms');
    const session = res.headers.getSetCookie().find((l) => l.startsWith('posdiag_session='))!;
    expect(session).toMatch(/; HttpOnly/);
    expect(session).toMatch(/; SameSite=Lax/);
    expect(session).not.toMatch(/Secure/);
    expect((await c.get('/alarms')).text).toContain(`href="/alarms/${alarmId}"`);
  });

  it('refuses a wrong password with 401 and the login again, audited as a denied login', async () => {
    const c = new ConsoleClient(base);
    const res = await c.login('otto', 'not-the-password');
    expect(res.status).toBe(401);
    expect(res.text).toMatch(/用户名或密码错误|Wrong user name or password/);
    expect(c.has('posdiag_session')).toBe(false);
    const entries = await store.operators.audit({ principal: 'otto', action: 'login', limit: 5 });
    expect(entries[0]).toMatchObject({ outcome: 'denied' });
  });

  it('refuses a login posted without the login form nonce (login CSRF)', async () => {
    const c = new ConsoleClient(base);
    const res = await c.post('/login', { user: 'otto', password: 'otto-password', csrf: 'forged' });
    expect(res.status).toBe(403);
    expect(c.has('posdiag_session')).toBe(false);
  });

  it('refuses an action without the CSRF token, or from another origin, with 403 and does nothing', async () => {
    const c = new ConsoleClient(base);
    await c.login('otto', 'otto-password');
    await c.get(`/alarms/${alarmId}`);
    expect((await c.post(`/alarms/${alarmId}/ack`, { comment: 'no token' })).status).toBe(403);
    expect((await c.post(`/alarms/${alarmId}/ack`, { comment: 'wrong token', csrf: `${c.csrf}x` })).status).toBe(403);
    expect((await c.post(`/alarms/${alarmId}/ack`, { comment: 'cross-site', csrf: c.csrf }, { origin: 'http://evil.example' })).status).toBe(403);
    expect((await store.alarms.alarm(alarmId))!.acknowledged).toBe(false);
    const denied = await store.operators.audit({ principal: 'otto', limit: 3 });
    expect(denied[0]).toMatchObject({ outcome: 'denied', detail: expect.stringMatching(/CSRF/) });
  });

  it('lets a viewer look but not act (403), and not open the admin pages', async () => {
    const c = new ConsoleClient(base);
    await c.login('vera', 'vera-password');
    const page = await c.get(`/alarms/${alarmId}`);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain(`action="/alarms/${alarmId}/ack"`);
    const res = await c.post(`/alarms/${alarmId}/ack`, { comment: 'viewer', csrf: c.csrf });
    expect(res.status).toBe(403);
    expect((await store.alarms.alarm(alarmId))!.acknowledged).toBe(false);
    expect((await c.post('/terminals/T-0001/commands', { name: 'self_test', csrf: c.csrf })).status).toBe(403);
    expect((await c.get('/audit')).status).toBe(403);
    expect((await c.get('/users')).status).toBe(403);
  });

  it('acknowledges with a comment as the operator, audited as alarm.ack', async () => {
    const c = new ConsoleClient(base);
    await c.login('otto', 'otto-password');
    await c.get(`/alarms/${alarmId}`);
    const res = await c.post(`/alarms/${alarmId}/ack`, { comment: 'on my way <b>', csrf: c.csrf });
    expect(res.status).toBe(303);
    const alarm = await store.alarms.alarm(alarmId);
    expect(alarm).toMatchObject({ acknowledged: true });
    const page = await c.get(`/alarms/${alarmId}`);
    expect(page.text).toContain('on my way &lt;b&gt;');
    expect((await store.operators.audit({ principal: 'otto', action: 'alarm.ack', limit: 1 }))[0]).toMatchObject({ outcome: 'ok', target: String(alarmId) });
  });

  it('acknowledges several alarms at once from the list, with one comment', async () => {
    await agent.report(makeFaultReport({ seq: 2, code: 'battery.low', category: 'hardware', severity: 'minor' }));
    const second = await waitFor(async () => (await store.alarms.list({ code: 'battery.low', limit: 1 }))[0]?.id, 'the second alarm');
    const c = new ConsoleClient(base);
    await c.login('otto', 'otto-password');
    const list = await c.get('/alarms');
    expect(list.text).toContain(`name="id" value="${second}"`);
    // The first is acknowledged already (the test before): that one is not done again, the other is.
    const res = await c.post('/alarms/bulk', { id: [String(alarmId), String(second)], action: 'ack', comment: 'both seen', csrf: c.csrf });
    expect(res.status).toBe(303);
    expect((await store.alarms.alarm(second))!.acknowledged).toBe(true);
    const log = await store.alarms.log(second);
    expect(log.some((e) => e.kind === 'comment' && e.detail === 'both seen' && e.actor === 'otto')).toBe(true);
    const audit = await store.operators.audit({ principal: 'otto', action: 'alarm.ack', limit: 1 });
    expect(audit[0]).toMatchObject({ target: `${alarmId},${second}`, detail: expect.stringMatching(new RegExp(`not done for ${alarmId}:`)) });
  });

  it('shows the fleet overview: terminals, open alarms by severity and category, top codes, the chart', async () => {
    const c = new ConsoleClient(base);
    await c.login('vera', 'vera-password');
    const page = (await c.get('/?lang=en')).text;
    expect(page).toMatch(/<h2>Terminals<\/h2><p class="stat">2<\/p>/);
    expect(page).toMatch(/<h2>Connected<\/h2><p class="stat ok">1<\/p>/);
    expect(page).toMatch(/sev-major">major<\/span><\/th><td>1<\/td>/);
    expect(page).toMatch(/<code>printer\.paper_end<\/code><\/a><\/th><td>1<\/td>/);
    expect(page).toContain('<svg class="chart" role="img"');
  });

  it('serves every page with a CSP that allows only its own scripts, and htmx from the hub', async () => {
    const c = new ConsoleClient(base);
    await c.login('ada', 'ada-password');
    for (const path of ['/', '/alarms', `/alarms/${alarmId}`, '/terminals', '/terminals/T-0001', '/silences', '/users', '/audit', '/login']) {
      const res = await c.get(path);
      expect(res.status, path).toBe(200);
      const csp = res.headers.get('content-security-policy')!;
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("default-src 'none'");
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
      expect(res.text, path).not.toMatch(/<script(?![^>]*\ssrc=)/);
      expect(res.text).not.toMatch(/\son[a-z]+="/);
    }
    const page = await c.get('/alarms');
    const htmx = /<script src="(\/console\/assets\/htmx\.min\.[0-9a-f]+\.js)"/.exec(page.text)![1]!;
    const js = await fetch(`${base}${htmx}`);
    expect(js.status).toBe(200);
    expect(await js.text()).toContain('htmx');
  });

  it('picks the language from Accept-Language, and ?lang= switches it and is remembered', async () => {
    const c = new ConsoleClient(base);
    await c.login('ada', 'ada-password');
    expect((await c.get('/alarms', { 'accept-language': 'en-US,en;q=0.9' })).text).toContain('<html lang="en"');
    expect((await c.get('/alarms', { 'accept-language': 'zh-CN,zh;q=0.9' })).text).toContain('<html lang="zh-CN"');
    expect((await c.get('/alarms?lang=en', { 'accept-language': 'zh-CN' })).text).toContain('>Alarms</h1>');
    expect((await c.get('/alarms', { 'accept-language': 'zh-CN' })).text).toContain('<html lang="en"');
  });

  it('answers 404 for a bundle that is not there, and sends no one without a session to it', async () => {
    const c = new ConsoleClient(base);
    expect((await c.get('/bundles/nope')).status).toBe(303);
    await c.login('vera', 'vera-password');
    expect((await c.get('/bundles/nope')).status).toBe(404);
    expect((await c.get('/no/such/page')).status).toBe(404);
  });

  it('logs out: the session no longer opens a page', async () => {
    const c = new ConsoleClient(base);
    await c.login('otto', 'otto-password');
    await c.get('/');
    const cookie = c.cookieHeader();
    expect((await c.post('/logout', { csrf: c.csrf })).status).toBe(303);
    const after = await fetch(`${base}/`, { redirect: 'manual', headers: { cookie } });
    expect(after.status).toBe(303);
  });
});

describe('the console terminals list', () => {
  let h: Awaited<ReturnType<typeof startTestHub>>;
  let store: HubStore;
  const c = () => new ConsoleClient(`http://127.0.0.1:${h.hub.address.port}`);
  const ids = Array.from({ length: 120 }, (_, i) => `T-${String(i + 1).padStart(4, '0')}`);
  const shown = (text: string) => [...text.matchAll(/<td><a href="\/terminals\/(T-\d{4})">/g)].map((m) => m[1]!);
  beforeAll(async () => {
    h = await startTestHub({ tokens: Object.fromEntries(ids.map((id) => [id, `token-${id}`])) });
    store = await openStore(h.db);
    await createOperators(store.operators, h.clock, { scrypt: { N: 1024, r: 8, p: 1 } }).users.add('vera', 'viewer', 'vera-password', cliPrincipal('root'));
    await store.alarms.setLabels('T-0077', { merchant: 'Golden Noodle' });
    await store.inventory.record('T-0101', { model: 'A920', serial: 'GOLD-1', firmware: null, agentVersion: '0.1.0' }, 0);
  });
  afterAll(async () => {
    await store.close();
    await h.cleanup();
  });

  it('pages every terminal by id, 50 at a time, with a next link that loses none', async () => {
    const client = c();
    await client.login('vera', 'vera-password');
    const seen: string[] = [];
    let path: string | undefined = '/terminals';
    while (path) {
      const page = await client.get(path);
      seen.push(...shown(page.text));
      path = /<a href="([^"]+)" rel="next">/.exec(page.text)?.[1]?.replace(/&amp;/g, '&');
    }
    expect(seen).toEqual(ids);
  });

  it('finds terminals by a part of the id, the serial or a label value (the merchant)', async () => {
    const client = c();
    await client.login('vera', 'vera-password');
    expect(shown((await client.get('/terminals?q=noodle')).text)).toEqual(['T-0077']);
    expect(shown((await client.get('/terminals?q=gold')).text)).toEqual(['T-0077', 'T-0101']);
    expect(shown((await client.get('/terminals?q=T-011')).text)).toEqual(['T-0110', 'T-0111', 'T-0112', 'T-0113', 'T-0114', 'T-0115', 'T-0116', 'T-0117', 'T-0118', 'T-0119']);
    expect((await client.get('/terminals?q=nobody-at-all')).text).toMatch(/没有符合条件的终端|No terminal matches/);
  });
});

describe('the console behind TLS', () => {
  it('marks its cookies Secure', async () => {
    const { execFileSync } = await import('node:child_process');
    const { mkdtempSync, readFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const https = await import('node:https');
    const dir = mkdtempSync(join(tmpdir(), 'posdiag-console-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1', '-keyout', 'hub.key', '-out', 'hub.pem'], { cwd: dir, stdio: 'pipe' });
    const h = await startTestHub({ tls: { cert: readFileSync(join(dir, 'hub.pem'), 'utf8'), key: readFileSync(join(dir, 'hub.key'), 'utf8') } });
    const store = await openStore(h.db);
    try {
      await createOperators(store.operators, h.clock, { scrypt: { N: 1024, r: 8, p: 1 } }).users.add('otto', 'operator', 'otto-password', cliPrincipal('root'));
      const request = (path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) =>
        new Promise<{ status: number; cookies: string[]; text: string }>((resolve, reject) => {
          const req = https.request({ host: '127.0.0.1', port: h.hub.address.port, path, method: init.method ?? 'GET', headers: init.headers, rejectUnauthorized: false }, (res) => {
            let text = '';
            res.on('data', (c: Buffer) => (text += c.toString()));
            res.on('end', () => resolve({ status: res.statusCode!, cookies: res.headers['set-cookie'] ?? [], text }));
          });
          req.on('error', reject);
          req.end(init.body);
        });
      const form = await request('/login');
      const nonce = /name="csrf" value="([^"]+)"/.exec(form.text)![1]!;
      expect(form.cookies.find((c) => c.startsWith('posdiag_login='))).toMatch(/; Secure/);
      const body = new URLSearchParams({ user: 'otto', password: 'otto-password', csrf: nonce }).toString();
      const login = await request('/login', { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `posdiag_login=${nonce}` } });
      expect(login.status).toBe(303);
      expect(login.cookies.find((c) => c.startsWith('posdiag_session='))).toMatch(/; HttpOnly; Secure/);
    } finally {
      await store.close();
      await h.cleanup();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the console silences and alarm actions', () => {
  let h: Awaited<ReturnType<typeof startTestHub>>;
  let store: HubStore;
  let agent: TestAgent;
  let base: string;
  beforeAll(async () => {
    const { parseNotifyConfig } = await import('../../src/notify/config.js');
    // No alarm is raised before the silence: the receiver (nobody listens there) is never sent to.
    const notify = parseNotifyConfig({ route: { receiver: 'ops' }, receivers: [{ name: 'ops', webhook: { url: 'http://127.0.0.1:9/hook', secret: 's' } }] });
    h = await startTestHub({ notify, authThrottle: { burst: 1_000 } });
    base = `http://127.0.0.1:${h.hub.address.port}`;
    store = await openStore(h.db);
    const ops = createOperators(store.operators, h.clock, { scrypt: { N: 1024, r: 8, p: 1 } });
    await ops.users.add('otto', 'operator', 'otto-password', cliPrincipal('root'));
    await ops.users.add('vera', 'viewer', 'vera-password', cliPrincipal('root'));
  });
  afterAll(async () => {
    await agent?.close();
    await store.close();
    await h.cleanup();
  });

  it('creates a silence with its matchers, lists it active, and expires it; refuses a bad duration and a viewer', async () => {
    const c = new ConsoleClient(base);
    await c.login('otto', 'otto-password');
    await c.get('/silences?lang=en');
    const made = await c.post('/silences', { matchers: 'severity=major\nterminal = "T-0001"', duration: '2h', comment: 'printer swap today', csrf: c.csrf });
    expect(made.status).toBe(303);
    const list = await c.get('/silences');
    expect(list.text).toContain('<code>{severity=&quot;major&quot;,terminal=&quot;T-0001&quot;}</code>');
    expect(list.text).toMatch(/<td data-state="active">active<\/td><td>otto<\/td><td>printer swap today<\/td>/);
    const id = /action="\/silences\/([^/]+)\/expire"/.exec(list.text)![1]!;
    expect((await c.post(`/silences/${id}/expire`, { csrf: c.csrf })).status).toBe(303);
    expect((await c.get('/silences')).text).toMatch(/<td data-state="expired">expired<\/td>/);
    expect((await c.post('/silences', { matchers: 'severity=major', duration: 'soon', comment: 'x', csrf: c.csrf })).status).toBe(400);
    expect((await c.post('/silences', { matchers: 'no equals sign', duration: '1h', comment: 'x', csrf: c.csrf })).status).toBe(400);
    expect((await store.operators.audit({ principal: 'otto', action: 'silence.create', limit: 5 })).map((e) => e.outcome)).toEqual(['ok']);
    const viewer = new ConsoleClient(base);
    await viewer.login('vera', 'vera-password');
    await viewer.get('/silences');
    expect((await viewer.post('/silences', { matchers: 'severity=major', duration: '1h', comment: 'x', csrf: viewer.csrf })).status).toBe(403);
  });

  it('assigns, changes the severity, comments and closes an alarm from its page, each with its comment', async () => {
    agent = await TestAgent.connect(h.hub.url, 'T-0001', 'token-one');
    await agent.next();
    await agent.report(makeFaultReport({ seq: 1 }));
    const id = await waitFor(async () => (await store.alarms.list({ limit: 1 }))[0]?.id, 'the alarm');
    const c = new ConsoleClient(base);
    await c.login('otto', 'otto-password');
    await c.get(`/alarms/${id}`);
    const act = (action: string, fields: Record<string, string>) => c.post(`/alarms/${id}/${action}`, { ...fields, csrf: c.csrf });
    expect((await act('assign', { user: 'tech-li', comment: 'yours' })).status).toBe(303);
    expect((await act('severity', { severity: 'critical', comment: 'bank branch' })).status).toBe(303);
    expect((await act('comment', { comment: '' })).status).toBe(400);
    expect((await act('comment', { comment: 'called the merchant' })).status).toBe(303);
    expect((await act('close', { comment: 'replaced' })).status).toBe(303);
    expect(await store.alarms.alarm(id)).toMatchObject({ assignee: 'tech-li', severity: 'critical', severitySetBy: 'otto', closedAt: expect.any(Number) });
    const comments = (await store.alarms.log(id)).filter((e) => e.kind === 'comment' && e.actor === 'otto').map((e) => e.detail);
    expect(comments).toEqual(['yours', 'bank branch', 'called the merchant', 'replaced']);
    // Closed: an action that cannot be done now is 409, and the page offers only the comment.
    expect((await act('ack', {})).status).toBe(409);
    const page = await c.get(`/alarms/${id}`);
    expect(page.text).toContain(`action="/alarms/${id}/comment"`);
    expect(page.text).not.toContain(`action="/alarms/${id}/close"`);
  });
});
