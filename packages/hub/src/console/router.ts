import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Locale } from 'posdiag-protocol';
import { actionDetail, actionName, parseAction } from '../alarms/alarm-api.js';
import { ActionConflict } from '../alarms/transitions.js';
import { auditRequest, HttpError, MAX_BODY_BYTES, readBody } from '../http-api.js';
import { MAX_ATTACHMENT_BYTES } from '../workorders/attachments.js';
import { routeSwapFile } from '../workorders/swap-file-api.js';
import { MultipartError, parseMultipart, type UploadedFile } from './multipart.js';
import { requiredRole, roleAllows, type Role } from '../operators/roles.js';
import { assets, serveAsset } from './assets.js';
import type { ConsoleContext, PageRequest, PageResult } from './context.js';
import { consoleEvents } from './events.js';
import { timeFormat, validTimeZone } from './format.js';
import { html } from './html.js';
import { asLocale, fromAcceptLanguage, translator } from './i18n.js';
import { page } from './layout.js';
import { alarmPage } from './pages/alarm.js';
import { alarmsPage } from './pages/alarms.js';
import { auditPage } from './pages/audit.js';
import { bundleDownload } from './pages/bundle.js';
import { loginBody } from './pages/login.js';
import { overviewPage } from './pages/overview.js';
import { expireSilence, createSilence, silencesPage } from './pages/silences.js';
import { commandFragment, postCommand, terminalPage } from './pages/terminal.js';
import { terminalsPage } from './pages/terminals.js';
import { usersPage } from './pages/users.js';
import { sparesPage } from './pages/spares.js';
import { workOrderPage } from './pages/workorder.js';
import { attachmentDownload, attachToOrder } from './pages/workorder-files.js';
import { audited, openWorkOrder, terminalLost, workOrderAction } from './pages/workorder-forms.js';
import { actionScope } from './pages/common.js';
import { workOrdersCsvDownload, workOrdersPage } from './pages/workorders.js';
import { ORDER_ACTIONS, type OrderAction } from '../workorders/workorder-actions.js';
import { ConsoleError, localPath, redirect, securityHeaders, sendHtml } from './respond.js';
import { addCookie, cookie, csrfValid, currentSession, LANG_COOKIE, LOGIN_COOKIE, newLoginNonce, parseCookies, sameOrigin, SESSION_COOKIE, TZ_COOKIE, type ConsoleSession } from './session.js';

/**
 * The provider's web console (docs/console.md), served by the hub beside its API: every path that is
 * not /api/…, /healthz or /metrics. Server-rendered HTML; htmx and the console's script from the hub
 * itself; live updates from the hub's event stream (GET /console/events).
 *
 *   GET  /login, POST /login (user, password)   → the session cookie, then 303 to `next`
 *   POST /logout
 *   GET  /  /alarms  /alarms/ID  /terminals  /terminals/ID  /workorders  /workorders/ID  /spares  /silences  /users  /audit (admins)
 *   POST /alarms/ID/ACTION, /alarms/bulk, /terminals/ID/commands, /silences, /silences/ID/expire
 *   POST /workorders, /workorders/ID/transition|assign|details|attachments (multipart), /terminals/ID/lost|unlock
 *   GET  /terminals/ID/commands/CID (a command's box), /bundles/ID, /workorders.csv, /workorders/ID/attachments/AID, /terminals/ID/swap (admins) (downloads), /console/assets/…
 *
 * Every page but the login needs a live session (else 303 to /login, or 401 with HX-Redirect for
 * htmx). Every POST needs the session's CSRF token and a same-origin request (else 403), and an
 * operator (a viewer gets 403); /users and /audit need an admin. Actions are done and audited as the
 * API does them (alarm.ACTION, command.post), under the operator's name.
 */
export function isConsolePath(pathname: string): boolean {
  return !(pathname === '/api' || pathname.startsWith('/api/') || pathname === '/healthz' || pathname === '/metrics');
}

interface Prefs {
  locale: Locale;
  zone: string;
}

function preferences(req: IncomingMessage, res: ServerResponse, url: URL, secure: boolean): Prefs {
  const cookies = parseCookies(req);
  const asked = asLocale(url.searchParams.get('lang'));
  if (asked) addCookie(res, cookie(LANG_COOKIE, asked, { secure, maxAgeSeconds: 31_536_000 }));
  const locale = asked ?? asLocale(cookies[LANG_COOKIE]) ?? fromAcceptLanguage(req.headers['accept-language']) ?? 'zh-CN';
  const askedZone = validTimeZone(url.searchParams.get('tz') ?? undefined);
  if (askedZone) addCookie(res, cookie(TZ_COOKIE, askedZone, { secure, httpOnly: false, maxAgeSeconds: 31_536_000 }));
  const zone = askedZone ?? validTimeZone(cookies[TZ_COOKIE]) ?? 'UTC';
  return { locale, zone };
}

/** The shown query of a page: without lang (the language links add theirs) and fragment. */
function shownQuery(url: URL): URLSearchParams {
  const q = new URLSearchParams(url.searchParams);
  q.delete('lang');
  q.delete('fragment');
  return q;
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return (await readPost(req, false)).fields;
}

/** A form post's fields, and its files when `files` allows a multipart one (the attachment form, up to an attachment's size). */
async function readPost(req: IncomingMessage, files: boolean): Promise<{ fields: URLSearchParams; files: UploadedFile[] }> {
  const contentType = req.headers['content-type'] ?? '';
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  const multipart = files && type === 'multipart/form-data';
  if (type !== 'application/x-www-form-urlencoded' && !multipart) throw new ConsoleError(415, `a form post (application/x-www-form-urlencoded${files ? ' or multipart/form-data' : ''})`);
  try {
    const body = await readBody(req, multipart ? MAX_ATTACHMENT_BYTES + MAX_BODY_BYTES : MAX_BODY_BYTES);
    return multipart ? parseMultipart(body, contentType) : { fields: new URLSearchParams(body.toString('utf8')), files: [] };
  } catch (err) {
    if (err instanceof HttpError) throw new ConsoleError(err.status, err.message);
    if (err instanceof MultipartError) throw new ConsoleError(400, err.message);
    throw err;
  }
}

export async function handleConsoleRequest(req: IncomingMessage, res: ServerResponse, ctx: ConsoleContext): Promise<void> {
  const started = performance.now();
  const url = new URL(req.url ?? '/', 'http://hub');
  securityHeaders(res);
  const prefs = preferences(req, res, url, ctx.secure);
  const t = translator(prefs.locale);
  let session: ConsoleSession | null = null;
  const shell = (title: string, live = false) => ({ locale: prefs.locale, t, title, path: url.pathname, query: shownQuery(url), session, zone: prefs.zone, live });
  try {
    if (url.pathname.startsWith('/console/assets/')) {
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new ConsoleError(405, 'GET');
      if (!serveAsset(url.pathname, res)) throw new ConsoleError(404, t('common.notFound'));
      return;
    }
    if (url.pathname === '/login') return await login(req, res, ctx, url, prefs, shell);
    session = await currentSession(req, ctx.operators.sessions);
    const htmx = req.headers['hx-request'] === 'true';
    if (!session) {
      if (htmx) {
        res.writeHead(401, { 'hx-redirect': '/login', 'content-length': 0 });
        return void res.end();
      }
      return redirect(res, req.method === 'GET' ? `/login?next=${encodeURIComponent(url.pathname + url.search)}` : '/login');
    }
    const p: PageRequest = { ctx, req, res, url, session, locale: prefs.locale, t, time: timeFormat(prefs.zone), htmx };
    const result = req.method === 'POST' ? await post(p) : await get(p);
    if (!result) return;
    const body = 'fragment' in result ? result.fragment : page(shell(result.title, result.live ?? false), result.body);
    // How long the hub took, queries and rendering (bench/console-pages.ts reads it; so can DevTools).
    res.setHeader('server-timing', `app;dur=${(performance.now() - started).toFixed(2)}`);
    sendHtml(res, 'fragment' in result ? 200 : (result.status ?? 200), body);
  } catch (err) {
    if (res.headersSent) {
      ctx.log.error({ err: (err as Error).message, url: req.url }, 'console response failed midway');
      return void res.destroy();
    }
    const status = err instanceof ConsoleError ? err.status : 500;
    if (status === 500) ctx.log.error({ err: (err as Error).message, url: req.url }, 'console request failed');
    const text = status === 500 ? 'internal error' : (err as Error).message;
    if (req.headers['hx-request'] === 'true') return sendHtml(res, status, html`<p class="flash error" role="alert">${text}</p>`);
    sendHtml(res, status, page(shell(String(status)), html`<h1>${status}</h1><p class="flash error" role="alert">${text}</p>`));
  }
}

async function login(req: IncomingMessage, res: ServerResponse, ctx: ConsoleContext, url: URL, prefs: Prefs, shell: (title: string) => Parameters<typeof page>[0]): Promise<void> {
  const t = translator(prefs.locale);
  const show = (status: number, next: string, error?: string) => {
    // Kept while it lives: a second login page (another tab) must not void the first one's form.
    const kept = parseCookies(req)[LOGIN_COOKIE];
    const nonce = kept && /^[A-Za-z0-9_-]{24}$/.test(kept) ? kept : newLoginNonce();
    addCookie(res, cookie(LOGIN_COOKIE, nonce, { secure: ctx.secure, maxAgeSeconds: 3600 }));
    sendHtml(res, status, page(shell(t('login.title')), loginBody(t, { nonce, next, ...(error ? { error } : {}) })));
  };
  if (req.method === 'GET') return show(200, localPath(url.searchParams.get('next')));
  if (req.method !== 'POST') throw new ConsoleError(405, 'GET or POST');
  const form = await readForm(req);
  const next = localPath(form.get('next'));
  const nonce = parseCookies(req)[LOGIN_COOKIE];
  if (!sameOrigin(req) || !nonce || form.get('csrf') !== nonce) return show(403, next, t('common.csrf'));
  const remote = req.socket.remoteAddress ?? null;
  if (ctx.throttle.retryAfterMs(remote ?? undefined) > 0) return show(429, next, t('login.throttled'));
  const created = await ctx.operators.sessions.createSession(form.get('user') ?? '', form.get('password') ?? '', remote);
  if (!created) {
    ctx.throttle.failed(remote ?? undefined, 'console login failed');
    return show(401, next, t('login.failed'));
  }
  addCookie(res, cookie(SESSION_COOKIE, created.id, { secure: ctx.secure, maxAgeSeconds: Math.max(1, Math.floor((created.expiresAt - ctx.clockNow()) / 1000)) }));
  addCookie(res, cookie(LOGIN_COOKIE, '', { secure: ctx.secure, maxAgeSeconds: 0 }));
  redirect(res, next);
}

function needRole(p: PageRequest, role: Role): void {
  if (!roleAllows(p.session.principal.role, role)) throw new ConsoleError(403, p.t('common.forbidden', { role: p.session.principal.role }));
}

const ONE_ALARM = /^\/alarms\/([1-9][0-9]{0,15})$/;
const ALARM_ACTION = /^\/alarms\/([1-9][0-9]{0,15})\/([a-z]+)$/;
const ONE_TERMINAL = /^\/terminals\/([^/]+)$/;
const TERMINAL_SWAP = /^\/terminals\/[^/]+\/swap$/;
const TERMINAL_COMMANDS = /^\/terminals\/([^/]+)\/commands$/;
const ONE_COMMAND = /^\/terminals\/([^/]+)\/commands\/([^/]+)$/;
const ONE_BUNDLE = /^\/bundles\/([^/]+)$/;
const SILENCE_EXPIRE = /^\/silences\/([^/]+)\/expire$/;
const ONE_ORDER = /^\/workorders\/([1-9][0-9]{0,15})$/;
const ORDER_ACTION = /^\/workorders\/([1-9][0-9]{0,15})\/([a-z]+)$/;
const ORDER_ATTACH = /^\/workorders\/([1-9][0-9]{0,15})\/attachments$/;
const ORDER_FILE = /^\/workorders\/([1-9][0-9]{0,15})\/attachments\/([1-9][0-9]{0,15})$/;
const TERMINAL_LOST = /^\/terminals\/([^/]+)\/(lost|unlock)$/;

function segment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new ConsoleError(400, `bad path: ${s}`);
  }
}

async function get(p: PageRequest): Promise<PageResult | null> {
  if (p.req.method !== 'GET' && p.req.method !== 'HEAD') throw new ConsoleError(405, 'GET or POST');
  const path = p.url.pathname;
  if (path === '/') return overviewPage(p);
  if (path === '/alarms') return alarmsPage(p);
  if (path === '/terminals') return terminalsPage(p);
  if (path === '/silences') return silencesPage(p);
  if (path === '/workorders') return workOrdersPage(p);
  if (path === '/workorders.csv') return workOrdersCsvDownload(p), null;
  if (path === '/spares') return sparesPage(p);
  if (path === '/users') return needRole(p, 'admin'), usersPage(p);
  if (path === '/audit') return needRole(p, 'admin'), auditPage(p);
  if (path === '/console/events') return consoleEvents(p), null;
  let m = ONE_ALARM.exec(path);
  if (m) return alarmPage(p, Number(m[1]));
  m = ONE_ORDER.exec(path);
  if (m) return workOrderPage(p, Number(m[1]));
  m = ORDER_FILE.exec(path);
  if (m) return attachmentDownload(p, Number(m[1]), Number(m[2])), null;
  m = ONE_COMMAND.exec(path);
  if (m) return commandFragment(p, segment(m[1]!), segment(m[2]!));
  if (TERMINAL_SWAP.test(path)) {
    // The API's own answer (admin only, audited: it holds the terminal's token), behind the session.
    needRole(p, 'admin');
    const s = actionScope(p, 'terminal.swap_file');
    await audited(p, s, 200, () => routeSwapFile(p.req, p.res, p.ctx, new URL(`/api${path}`, 'http://hub'), s));
    return null;
  }
  m = ONE_TERMINAL.exec(path);
  if (m) return terminalPage(p, segment(m[1]!));
  m = ONE_BUNDLE.exec(path);
  if (m) {
    await bundleDownload(p, segment(m[1]!));
    return null;
  }
  throw new ConsoleError(404, p.t('common.notFound'));
}

async function post(p: PageRequest): Promise<PageResult | null> {
  const { fields: form, files } = await readPost(p.req, ORDER_ATTACH.test(p.url.pathname));
  if (!sameOrigin(p.req) || !csrfValid(p.session.id, form.get('csrf') ?? undefined)) {
    await auditRequest(p.req, p.ctx, actionScope(p, `POST ${p.url.pathname}`), 403, 'console form without a valid CSRF token');
    throw new ConsoleError(403, p.t('common.csrf'));
  }
  const path = p.url.pathname;
  if (path === '/logout') {
    await p.ctx.operators.sessions.endSession(p.session.id, p.req.socket.remoteAddress ?? null);
    addCookie(p.res, cookie(SESSION_COOKIE, '', { secure: p.ctx.secure, maxAgeSeconds: 0 }));
    redirect(p.res, '/login');
    return null;
  }
  // The API's role table decides (a technician may work an order, workorder-actions.ts checks it is
  // theirs); everything else the console posts needs an operator.
  const needed = path === '/workorders' || ORDER_ACTION.test(path) ? requiredRole('POST', `/api${path}`) : 'operator';
  const attaching = ORDER_ATTACH.exec(path);
  if (!roleAllows(p.session.principal.role, needed)) {
    await auditRequest(p.req, p.ctx, actionScope(p, `POST ${path}`), 403, `a ${p.session.principal.role} may not do this`);
    throw new ConsoleError(403, p.t('common.forbidden', { role: p.session.principal.role }));
  }
  if (path === '/workorders') return openWorkOrder(p, form);
  if (attaching) return attachToOrder(p, Number(attaching[1]), files);
  let m = ORDER_ACTION.exec(path);
  if (m) {
    if (!(ORDER_ACTIONS as readonly string[]).includes(m[2]!)) throw new ConsoleError(404, p.t('common.notFound'));
    return workOrderAction(p, Number(m[1]), m[2] as OrderAction, form);
  }
  m = TERMINAL_LOST.exec(path);
  if (m) return terminalLost(p, segment(m[1]!), m[2] as 'lost' | 'unlock', form);
  m = ALARM_ACTION.exec(path);
  if (m) return alarmAction(p, [Number(m[1])], m[2]!, form, `/alarms/${m[1]}`);
  if (path === '/alarms/bulk') {
    const ids = form.getAll('id').filter((v) => /^[1-9][0-9]{0,15}$/.test(v)).map(Number);
    if (ids.length === 0) throw new ConsoleError(400, p.t('alarms.empty'));
    return alarmAction(p, ids, form.get('action') ?? 'ack', form, '/alarms');
  }
  m = TERMINAL_COMMANDS.exec(path);
  if (m) return postCommand(p, segment(m[1]!), form);
  if (path === '/silences') return createSilence(p, form);
  m = SILENCE_EXPIRE.exec(path);
  if (m) return expireSilence(p, segment(m[1]!));
  throw new ConsoleError(404, p.t('common.notFound'));
}

/** The form's fields as the alarms API's action body: an empty comment is none, an empty assignee nobody. */
function actionBody(name: string, form: URLSearchParams): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const comment = form.get('comment')?.trim();
  if (comment) body.comment = comment;
  if (name === 'assign') body.user = form.get('user')?.trim() || null;
  if (name === 'severity') body.severity = form.get('severity');
  return body;
}

async function alarmAction(p: PageRequest, ids: number[], name: string, form: URLSearchParams, back: string): Promise<null> {
  const parsed = actionName.safeParse(name);
  if (!parsed.success) throw new ConsoleError(404, p.t('common.notFound'));
  const s = actionScope(p, `alarm.${parsed.data}`, ids.join(','));
  let action;
  try {
    action = parseAction(parsed.data, actionBody(parsed.data, form));
  } catch (err) {
    if (err instanceof HttpError) throw new ConsoleError(400, p.t('common.badRequest', { reason: err.message }));
    throw err;
  }
  s.detail = actionDetail(action);
  const failed: string[] = [];
  for (const id of ids) {
    try {
      if (!(await p.ctx.alarms.act(id, action, p.session.principal.name))) failed.push(`${id}: not found`);
    } catch (err) {
      if (!(err instanceof ActionConflict)) throw err;
      failed.push(`${id}: ${err.message}`);
    }
  }
  if (failed.length) s.detail = [s.detail, `not done for ${failed.join('; ')}`].filter(Boolean).join('; ');
  await auditRequest(p.req, p.ctx, s, failed.length === ids.length ? 409 : 200, undefined);
  if (failed.length === ids.length) throw new ConsoleError(409, p.t('common.badRequest', { reason: failed.join('; ') }));
  redirect(p.res, back);
  return null;
}

/** For tests and the docs: the asset paths pages link (hashed names). */
export function assetPaths(): string[] {
  return Object.values(assets()).map((a) => a.path);
}
