import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { AlertStream } from './alert-stream.js';
import { CommandRefused, type CommandDispatch, type CommandMessage } from './fleet/commands.js';
import type { TerminalPresence } from './fleet/terminal-presence.js';
import type { Logger } from './logger.js';
import { commandNameSchema, hubMessage, terminalIdSchema, type Clock } from 'posdiag-protocol';
import { describeIssues } from './agent-frame.js';
import { headerValue } from './auth.js';
import type { AuthThrottle } from './auth-throttle.js';
import { routeAlarms, terminalsWithAlarms } from './alarms/alarm-api.js';
import { routeLabels } from './labels/label-api.js';
import { routeSilences } from './notify/silence-api.js';
import type { LostTerminals } from './workorders/lost.js';
import { routeSwapFile } from './workorders/swap-file-api.js';
import { routeUnits } from './workorders/unit-api.js';
import { routeWorkOrders } from './workorders/workorder-api.js';
import type { WorkOrders } from './workorders/workorders.js';
import { inventoryQuery, withInventory } from './terminal-inventory.js';
import { labelsMatch, takeLabelFilter, terminalsMatching } from './labels/labels.js';
import type { Alarms } from './alarms/alarms.js';
import { EXPOSITION_CONTENT_TYPE } from './metrics/exposition.js';
import type { HubMetrics } from './metrics/hub-metrics.js';
import { routeClass, UNROUTED } from './metrics/route-class.js';
import { MAX_AUDIT_PAGE } from './operators/audit.js';
import type { Operators } from './operators/operators.js';
import type { Principal } from './operators/principal.js';
import { requiredRole, roleAllows } from './operators/roles.js';
import { decodeReportCursor, encodeReportCursor } from './report-cursor.js';
import type { CommandRecord, DeliveryRecord, HubStore } from './store/store.js';
import type { TokenMap } from './tokens.js';
import { isoOrNull } from './iso-time.js';

/**
 * The hub's HTTP JSON API (SPEC §7). With an API token (--api-token-file) or once any operator user
 * exists, every request needs `Authorization: Bearer <token>`: the API token (an admin) or a user's
 * personal token (operators/authenticator.ts); else 401. A role too low for the request is 403
 * (operators/roles.ts: viewer GET, operator also POST, admin also /api/audit). With neither the hub
 * listens only on loopback and is open (see api-auth.ts). Every request but a GET is audited, refused
 * ones too, and so is a 403 and a GET that hands out a credential.
 *
 *   GET  /api/reports?terminal=ID&kind=KIND  → 200 [ { ...report, receivedAt } ] oldest first (by terminal, seq);
 *        &ref=XXXXXXXX                          a self-test by the reference printed on its verdict receipt
 *        &limit=N (1…1000)                      at most N; when there may be more, the response has
 *                                                 `Link: </api/reports?…&after=TOKEN>; rel="next"`
 *        &after=TOKEN                           the page after the one that gave TOKEN (opaque)
 *        &label.KEY=VALUE                       only terminals with these labels (each must match; also on /api/faults, /api/terminals)
 *   GET  /api/faults?state=open&label.KEY=VALUE → 200 { terminals: { ID: [ {code, instance, severity, category,
 *                                                 since, inhibitedBy, reportId, seq, verification} ] } } (raised,
 *                                                 not cleared; an inhibited fault has inhibitedBy set and raised no
 *                                                 alert; verification: the latest self-test after the raise that
 *                                                 checked it, {reportId, ref, level, at, passed, stillPresent}, absent if none)
 *   POST /api/terminals/ID/commands {"name":"self_test","args":{"level":"quick"}}
 *                                            → 202 {id}; 404 unknown terminal; 409 terminal not connected to any hub
 *                                              ("bundle": the terminal sends its diagnostic bundle, stored under that id);
 *                                              any hub takes it and the hub holding the terminal sends it (fleet/commands.ts);
 *                                              409 too for a terminal marked lost, which is sent only lock and unlock
 *   …/api/workorders…: workorders/workorder-api.ts; POST /api/terminals/ID/lost|unlock, GET /api/spares, /api/units/SERIAL: workorders/unit-api.ts
 *   GET  /api/terminals/ID/swap (admin, audited): workorders/swap-file-api.ts
 *   GET  /api/commands/ID                    → 200 {id, terminal, name, args, state, postedBy, postedAt, sentBy, sentAt,
 *                                                 finishedAt, detail}: state queued | sent | succeeded | failed |
 *                                                 undeliverable, the same from every hub; 404 if none
 *   GET  /api/alerts                         → 200 text/event-stream (alert-stream.ts): alert, cleared, silent, back,
 *                                                 each with an id; Last-Event-ID replays what was missed; : keepalive
 *   GET  /api/terminals                      → 200 [ {id, connected, lastHeard, silent, labels, openAlarms, inventory} ] every terminal the hub knows
 *        ?model=X&agentVersion=Y                inventory: {model, serial, firmware, agentVersion, updatedAt} from its agent's latest
 *                                                 hello, null before one (terminal-inventory.ts); each filter must equal it
 *   …/api/alarms…, PUT /api/terminals/ID/labels: alarms/alarm-api.ts
 *   POST /api/terminals/labels (CSV import), GET /api/terminals/labels.csv: labels/label-api.ts
 *   GET|POST /api/silences, POST /api/silences/ID/expire: notify/silence-api.ts
 *   GET  /api/bundles?terminal=ID            → 200 [ {id, terminal, receivedAt, size, sha256} ] oldest first
 *   GET  /api/bundles/ID                     → 200 the tar.gz (application/gzip); 404 if none (yet)
 *   GET  /api/audit?user=NAME&action=ACTION&since=ISO8601&limit=N (1…1000, default 100)
 *                                            → 200 {entries: [ {id, at, principal, action, target, remote, outcome, detail} ]}
 *                                              newest first (admin only); `Link: <…&after=ID>; rel="next"` when there may be more
 *   GET  /healthz                            → 200 {status: "ok"}, 503 when the database cannot be read; no token needed
 *   GET  /healthz?ready=1                    → 200 {status: "ready"}, 503 {status: "not_ready", error} while the hub starts or
 *                                                 closes, its database cannot be read or its fleet LISTEN connection is down
 *   GET  /metrics                            → 200 Prometheus text format 0.0.4 (metrics/hub-metrics.ts); any role, like /api
 * Errors are `{ error: <reason> }` with 400 (bad query or body), 401, 403, 404, 405, 409, 413, 415 or 429 (too many failed
 * authentications from this address: Retry-After says when to try again).
 */
export const MAX_BODY_BYTES = 64 * 1024;
export const MAX_REPORTS_PAGE = 1000;

export interface ApiContext {
  store: HubStore;
  commands: CommandDispatch;
  presence: TerminalPresence;
  tokens: TokenMap;
  /** Who may use the API (the --api-token-file token, users' tokens) and the audit log. */
  operators: Operators;
  alerts: AlertStream;
  throttle: AuthThrottle;
  /** Alarms from faults and silences, worked by operators (alarms/). */
  alarms: Alarms;
  metrics: HubMetrics;
  /** Work orders and lost terminals (workorders/). */
  workorders: WorkOrders;
  lost: LostTerminals;
  /** Who was notified of the alert of `key` (terminal|code|instance): the notifier's delivery log; [] without --notify. */
  deliveriesFor(key: string): Promise<DeliveryRecord[]>;
  /** Why the hub should get no traffic now (GET /healthz?ready=1), null when it may (metrics/readiness.ts). */
  notReady(): Promise<string | null>;
  /** Tells every hub's dispatcher a silence was made or expired (notify/silence-sync.ts). */
  silencesChanged(): Promise<void>;
  clock: Clock;
  log: Logger;
}

/** A command as the API shows it: times in ISO 8601. */
function commandView(c: CommandRecord) {
  return { ...c, postedAt: isoOrNull(c.postedAt), sentAt: isoOrNull(c.sentAt), finishedAt: isoOrNull(c.finishedAt) };
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const reportsQuery = z.strictObject({
  terminal: terminalIdSchema.optional(),
  kind: z.enum(['fault', 'self_test', 'heartbeat']).optional(),
  ref: z.string().regex(/^[0-9A-Fa-f]{8}$/, 'a self-test reference: 8 hex digits').optional(),
  limit: z
    .string()
    .regex(/^[1-9][0-9]*$/, `a whole number from 1 to ${MAX_REPORTS_PAGE}`)
    .transform(Number)
    .refine((n) => n <= MAX_REPORTS_PAGE, `at most ${MAX_REPORTS_PAGE}`)
    .optional(),
  after: z.string().optional(),
});
const faultsQuery = z.strictObject({ state: z.literal('open').optional() });
const wholeNumber = z.string().regex(/^[1-9][0-9]*$/, 'a whole number from 1').transform(Number);
const auditQuery = z.strictObject({
  user: z.string().min(1).optional(),
  action: z.string().min(1).optional(),
  since: z
    .string()
    .refine((t) => !Number.isNaN(Date.parse(t)), 'an ISO 8601 time such as 2026-01-02T03:04:05Z')
    .transform(Date.parse)
    .optional(),
  limit: wholeNumber.refine((n) => n <= MAX_AUDIT_PAGE, `at most ${MAX_AUDIT_PAGE}`).optional(),
  after: wholeNumber.optional(),
});
const bundlesQuery = z.strictObject({ terminal: terminalIdSchema.optional() });
const commandBody = z.strictObject({ name: commandNameSchema, args: z.unknown().optional() });

export function parseWith<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new HttpError(400, `bad ${what}: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

export function queryObject(params: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of params) {
    if (Object.hasOwn(out, key)) throw new HttpError(400, `bad query: parameter ${key} given more than once`);
    out[key] = value;
  }
  return out;
}

export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const body = await readBody(req, MAX_BODY_BYTES);
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new HttpError(400, `bad JSON body: ${(err as Error).message}`);
  }
}

/** The request's body, or 413 once it is larger than maxBytes (declared or sent). */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBytes) return reject(new HttpError(413, `body larger than ${maxBytes} bytes`));
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.removeAllListeners('data');
        req.pause();
        reject(new HttpError(413, `body larger than ${maxBytes} bytes`));
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, `bad path: ${segment} is not valid percent-encoding`);
  }
}

export function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function requireMethod(req: IncomingMessage, res: ServerResponse, method: string): void {
  if (req.method === method) return;
  res.setHeader('allow', method);
  throw new HttpError(405, `method ${req.method} not allowed, use ${method}`);
}

/** What the audit log learns of a request as it is served: who, and what the route says it did. */
export interface RequestScope {
  remote: string | null;
  principal?: Principal;
  action?: string;
  target?: string;
  detail?: string;
  /** The route recorded its own entry before answering. */
  audited?: boolean;
  /** A GET that is an action all the same (it hands out a credential): audited, refused or not. */
  auditRead?: boolean;
  /** The route class the API metrics count it under, once a route may answer it (metrics/route-class.ts). */
  route?: string;
}

/** Who the request is, when they may make it: else 429 (throttled), 401 (no or unknown token) or 403 (role too low). */
async function requirePrincipal(req: IncomingMessage, res: ServerResponse, ctx: ApiContext, url: URL, scope: RequestScope): Promise<void> {
  const remote = req.socket.remoteAddress;
  const waitMs = ctx.throttle.retryAfterMs(remote);
  if (waitMs > 0) {
    res.setHeader('retry-after', Math.ceil(waitMs / 1000));
    throw new HttpError(429, 'too many failed authentications from this address; try again later');
  }
  const auth = await ctx.operators.auth.authenticate(headerValue(req, 'authorization'));
  if (!auth.ok) {
    // Counted and logged in aggregate by the throttle; per request only at debug level.
    ctx.throttle.failed(remote, auth.reason);
    ctx.log.debug({ reason: auth.reason, remote, url: req.url }, 'API request refused');
    res.setHeader('www-authenticate', 'Bearer');
    throw new HttpError(401, auth.reason);
  }
  scope.principal = auth.principal;
  const needed = requiredRole(req.method, url.pathname);
  if (!roleAllows(auth.principal.role, needed)) throw new HttpError(403, `${auth.principal.name} is a ${auth.principal.role}; this needs the ${needed} role`);
}

async function route(req: IncomingMessage, res: ServerResponse, ctx: ApiContext, scope: RequestScope): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://hub');
  // The one unauthenticated path: a container's or load balancer's health check carries no token.
  if (url.pathname === '/healthz') {
    requireMethod(req, res, 'GET');
    scope.route = '/healthz';
    if (url.searchParams.get('ready') === '1') {
      const reason = await ctx.notReady();
      return reason === null ? send(res, 200, { status: 'ready' }) : send(res, 503, { status: 'not_ready', error: reason });
    }
    return (await ctx.store.readable()) ? send(res, 200, { status: 'ok' }) : send(res, 503, { status: 'unavailable', error: 'the database cannot be read' });
  }
  // Before anything else, so an unauthenticated caller learns nothing, not even which paths exist.
  await requirePrincipal(req, res, ctx, url, scope);
  scope.route = routeClass(url.pathname);
  if (url.pathname === '/metrics') {
    requireMethod(req, res, 'GET');
    const text = await ctx.metrics.expose();
    res.writeHead(200, { 'content-type': EXPOSITION_CONTENT_TYPE, 'content-length': Buffer.byteLength(text) });
    return void res.end(text);
  }
  if (await routeAlarms(req, res, ctx, url, scope)) return;
  if (await routeLabels(req, res, ctx, url, scope)) return;
  if (await routeSilences(req, res, ctx, url, scope)) return;
  if (await routeWorkOrders(req, res, ctx, url, scope)) return;
  if (await routeUnits(req, res, ctx, url, scope)) return;
  if (await routeSwapFile(req, res, ctx, url, scope)) return;
  if (url.pathname === '/api/reports') {
    requireMethod(req, res, 'GET');
    const query = queryObject(url.searchParams);
    const labels = takeLabelFilter(query);
    const { limit, after, ...filter } = parseWith(reportsQuery, query, 'query');
    const cursor = after === undefined ? undefined : decodeReportCursor(after);
    if (after !== undefined && !cursor) throw new HttpError(400, 'bad query: after: not a token from this hub\'s Link header');
    const terminals = Object.keys(labels).length ? { terminals: terminalsMatching(await ctx.store.alarms.labels(), labels) } : {};
    const page = await ctx.store.reports({ ...filter, ...terminals }, { ...(cursor ? { after: cursor } : {}), ...(limit !== undefined ? { limit } : {}) });
    if (page.next) {
      const next = new URLSearchParams(url.searchParams);
      next.set('after', encodeReportCursor(page.next));
      res.setHeader('link', `</api/reports?${next}>; rel="next"`);
    }
    return send(res, 200, page.reports);
  }
  if (url.pathname === '/api/alerts') {
    requireMethod(req, res, 'GET');
    return ctx.alerts.subscribe(res, headerValue(req, 'last-event-id'));
  }
  if (url.pathname === '/api/faults') {
    requireMethod(req, res, 'GET');
    const query = queryObject(url.searchParams);
    const labels = takeLabelFilter(query);
    parseWith(faultsQuery, query, 'query');
    const [open, all] = await Promise.all([ctx.store.openFaults(), ctx.store.alarms.labels()]);
    return send(res, 200, { terminals: Object.fromEntries(Object.entries(open).filter(([t]) => labelsMatch(all.get(t), labels))) });
  }
  if (url.pathname === '/api/terminals') {
    requireMethod(req, res, 'GET');
    const query = queryObject(url.searchParams);
    const labels = takeLabelFilter(query);
    const inventory = parseWith(inventoryQuery, query, 'query');
    const [terminals, all] = await Promise.all([ctx.presence.list().then((list) => terminalsWithAlarms(ctx, list)), ctx.store.inventory.all()]);
    return send(res, 200, withInventory(terminals, all, inventory).filter((t) => labelsMatch(t.labels, labels)));
  }
  if (url.pathname === '/api/bundles') {
    requireMethod(req, res, 'GET');
    const { terminal } = parseWith(bundlesQuery, queryObject(url.searchParams), 'query');
    return send(res, 200, await ctx.store.listBundles(terminal));
  }
  const bundle = /^\/api\/bundles\/([^/]+)$/.exec(url.pathname);
  if (bundle) {
    requireMethod(req, res, 'GET');
    const id = decodePathSegment(bundle[1]!);
    const found = await ctx.store.getBundle(id);
    if (!found) throw new HttpError(404, `no bundle ${id} (yet)`);
    res.writeHead(200, {
      'content-type': 'application/gzip',
      'content-length': found.data.length,
      'content-disposition': `attachment; filename="posdiag-bundle-${found.terminal}-${found.id}.tar.gz"`,
    });
    return void res.end(found.data);
  }
  const command = /^\/api\/terminals\/([^/]+)\/commands$/.exec(url.pathname);
  if (command) {
    requireMethod(req, res, 'POST');
    const terminal = decodePathSegment(command[1]!);
    if (!Object.hasOwn(ctx.tokens, terminal)) throw new HttpError(404, `unknown terminal ${terminal}`);
    const body = parseWith(commandBody, await readJsonBody(req), 'command');
    // Validating the whole outgoing message checks `args` against the protocol; its type is ours.
    const message = parseWith(hubMessage, { type: 'command', id: randomUUID(), name: body.name, args: body.args ?? {} }, 'command') as CommandMessage;
    Object.assign(scope, { action: 'command.post', target: terminal, detail: `${message.name} ${message.id}` });
    const outcome = await ctx.commands.post(terminal, message).catch((err: unknown) => {
      throw err instanceof CommandRefused ? new HttpError(409, err.message) : err;
    });
    if (outcome === 'not_connected') throw new HttpError(409, `terminal ${terminal} is not connected`);
    await auditRequest(req, ctx, scope, 202, undefined);
    return send(res, 202, { id: message.id });
  }
  const commandId = /^\/api\/commands\/([^/]+)$/.exec(url.pathname);
  if (commandId) {
    requireMethod(req, res, 'GET');
    const id = decodePathSegment(commandId[1]!);
    const found = await ctx.store.command(id);
    if (!found) throw new HttpError(404, `no command ${id}`);
    return send(res, 200, commandView(found));
  }
  if (url.pathname === '/api/audit') {
    requireMethod(req, res, 'GET');
    const { user, action, since, limit, after } = parseWith(auditQuery, queryObject(url.searchParams), 'query');
    const page = await ctx.operators.audit.page({
      ...(user !== undefined ? { principal: user } : {}),
      ...(action !== undefined ? { action } : {}),
      ...(since !== undefined ? { sinceMs: since } : {}),
      ...(after !== undefined ? { before: after } : {}),
      ...(limit !== undefined ? { limit } : {}),
    });
    if (page.next !== null) {
      const next = new URLSearchParams(url.searchParams);
      next.set('after', String(page.next));
      res.setHeader('link', `</api/audit?${next}>; rel="next"`);
    }
    return send(res, 200, { entries: page.entries.map((e) => ({ ...e, at: new Date(e.at).toISOString() })) });
  }
  scope.route = undefined;
  throw new HttpError(404, `no such resource: ${url.pathname}`);
}

/**
 * One audit entry for every request but a plain GET (reads are not actions; one marked `auditRead` is), and for every 403; never
 * rejects. Refusals and routes that call it are audited before they are answered, so a client that
 * reads /api/audit next finds its entry.
 */
export function auditRequest(req: IncomingMessage, ctx: ApiContext, scope: RequestScope, status: number, error: string | undefined): Promise<void> {
  if (scope.audited || (req.method === 'GET' && status !== 403 && !scope.auditRead)) return Promise.resolve();
  scope.audited = true;
  const path = new URL(req.url ?? '/', 'http://hub').pathname;
  return ctx.operators.audit
    .record({
      principal: scope.principal?.name ?? 'unknown',
      action: scope.action ?? `${req.method} ${path}`,
      target: scope.target ?? null,
      remote: scope.remote,
      outcome: status < 400 ? 'ok' : status === 401 || status === 403 ? 'denied' : 'failed',
      detail: error ?? scope.detail ?? null,
    })
    .then(
      () => {},
      (err: unknown) => ctx.log.error({ err: (err as Error).message, url: req.url }, 'audit entry not stored'),
    );
}

export function handleApiRequest(req: IncomingMessage, res: ServerResponse, ctx: ApiContext): void {
  const scope: RequestScope = { remote: req.socket.remoteAddress ?? null };
  // 'close' comes for every response, an event stream's too, when it ends.
  res.once('close', () => ctx.metrics.apiRequest(scope.route ?? UNROUTED, res.statusCode));
  route(req, res, ctx, scope)
    // A route that did not audit itself is audited once it has answered.
    .then(() => auditRequest(req, ctx, scope, res.statusCode, undefined))
    .catch(async (err: unknown) => {
      if (err instanceof HttpError) {
        // An unread (oversize) body would otherwise be parsed as the next request on this connection.
        if (err.status === 413) res.setHeader('connection', 'close');
        await auditRequest(req, ctx, scope, err.status, err.message);
        return send(res, err.status, { error: err.message });
      }
      ctx.log.error({ err: (err as Error).message, url: req.url }, 'API request failed');
      await auditRequest(req, ctx, scope, 500, 'internal error');
      send(res, 500, { error: 'internal error' });
    });
}
