import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { AlertStream } from './alert-stream.js';
import type { CommandDispatch, CommandMessage } from './fleet/commands.js';
import type { TerminalPresence } from './fleet/terminal-presence.js';
import type { Logger } from './logger.js';
import { commandNameSchema, hubMessage, terminalIdSchema } from 'posdiag-protocol';
import { describeIssues } from './agent-frame.js';
import { operatorRefusal } from './api-auth.js';
import { headerValue } from './auth.js';
import type { AuthThrottle } from './auth-throttle.js';
import { decodeReportCursor, encodeReportCursor } from './report-cursor.js';
import type { CommandRecord, HubStore } from './store/store.js';
import type { TokenMap } from './tokens.js';

/**
 * The hub's HTTP JSON API (SPEC §7). With an API token, every request needs
 * `Authorization: Bearer <api token>` (else 401); without one the hub listens only on loopback
 * (see api-auth.ts).
 *
 *   GET  /api/reports?terminal=ID&kind=KIND  → 200 [ { ...report, receivedAt } ] oldest first (by terminal, seq);
 *        &ref=XXXXXXXX                          a self-test by the reference printed on its verdict receipt
 *        &limit=N (1…1000)                      at most N; when there may be more, the response has
 *                                                 `Link: </api/reports?…&after=TOKEN>; rel="next"`
 *        &after=TOKEN                           the page after the one that gave TOKEN (opaque)
 *   GET  /api/faults?state=open              → 200 { terminals: { ID: [ {code, instance, severity, category,
 *                                                 since, inhibitedBy, reportId, seq, verification} ] } } (raised,
 *                                                 not cleared; an inhibited fault has inhibitedBy set and raised no
 *                                                 alert; verification: the latest self-test after the raise that
 *                                                 checked it, {reportId, ref, level, at, passed, stillPresent}, absent if none)
 *   POST /api/terminals/ID/commands {"name":"self_test","args":{"level":"quick"}}
 *                                            → 202 {id}; 404 unknown terminal; 409 terminal not connected to any hub
 *                                              ("bundle": the terminal sends its diagnostic bundle, stored under that id);
 *                                              any hub takes it and the hub holding the terminal sends it (fleet/commands.ts)
 *   GET  /api/commands/ID                    → 200 {id, terminal, name, args, state, postedBy, postedAt, sentBy, sentAt,
 *                                                 finishedAt, detail}: state queued | sent | succeeded | failed |
 *                                                 undeliverable, the same from every hub; 404 if none
 *   GET  /api/alerts                         → 200 text/event-stream (alert-stream.ts): alert, cleared, silent, back,
 *                                                 each with an id; Last-Event-ID replays what was missed; : keepalive
 *   GET  /api/terminals                      → 200 [ {id, connected, lastHeard, silent} ] every terminal the hub knows
 *   GET  /api/bundles?terminal=ID            → 200 [ {id, terminal, receivedAt, size, sha256} ] oldest first
 *   GET  /api/bundles/ID                     → 200 the tar.gz (application/gzip); 404 if none (yet)
 *   GET  /healthz                            → 200 {status: "ok"}, 503 when the database cannot be read; no token needed
 * Errors are `{ error: <reason> }` with 400 (bad query or body), 401, 404, 405, 409, 413 or 429 (too many failed
 * authentications from this address: Retry-After says when to try again).
 */
export const MAX_BODY_BYTES = 64 * 1024;
export const MAX_REPORTS_PAGE = 1000;

export interface ApiContext {
  store: HubStore;
  commands: CommandDispatch;
  presence: TerminalPresence;
  tokens: TokenMap;
  /** The operator's bearer token; undefined = the API is unauthenticated. */
  apiToken: string | undefined;
  alerts: AlertStream;
  throttle: AuthThrottle;
  log: Logger;
}

/** A command as the API shows it: times in ISO 8601. */
function commandView(c: CommandRecord) {
  const time = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return { ...c, postedAt: time(c.postedAt), sentAt: time(c.sentAt), finishedAt: time(c.finishedAt) };
}

class HttpError extends Error {
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
const bundlesQuery = z.strictObject({ terminal: terminalIdSchema.optional() });
const commandBody = z.strictObject({ name: commandNameSchema, args: z.unknown().optional() });

function parseWith<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new HttpError(400, `bad ${what}: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

function queryObject(params: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of params) {
    if (Object.hasOwn(out, key)) throw new HttpError(400, `bad query: parameter ${key} given more than once`);
    out[key] = value;
  }
  return out;
}

function readJsonBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_BODY_BYTES) return reject(new HttpError(413, `body larger than ${MAX_BODY_BYTES} bytes`));
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.removeAllListeners('data');
        req.pause();
        reject(new HttpError(413, `body larger than ${MAX_BODY_BYTES} bytes`));
      } else chunks.push(chunk);
    });
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch (err) {
        reject(new HttpError(400, `bad JSON body: ${(err as Error).message}`));
      }
    });
    req.on('error', reject);
  });
}

function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, `bad path: ${segment} is not valid percent-encoding`);
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function requireMethod(req: IncomingMessage, res: ServerResponse, method: string): void {
  if (req.method === method) return;
  res.setHeader('allow', method);
  throw new HttpError(405, `method ${req.method} not allowed, use ${method}`);
}

function requireOperator(req: IncomingMessage, res: ServerResponse, ctx: ApiContext): void {
  if (ctx.apiToken === undefined) return;
  const remote = req.socket.remoteAddress;
  const waitMs = ctx.throttle.retryAfterMs(remote);
  if (waitMs > 0) {
    res.setHeader('retry-after', Math.ceil(waitMs / 1000));
    throw new HttpError(429, 'too many failed authentications from this address; try again later');
  }
  const refusal = operatorRefusal(req, ctx.apiToken);
  if (refusal === null) return;
  // Counted and logged in aggregate by the throttle; per request only at debug level.
  ctx.throttle.failed(remote, refusal);
  ctx.log.debug({ reason: refusal, remote, url: req.url }, 'API request refused');
  res.setHeader('www-authenticate', 'Bearer');
  throw new HttpError(401, refusal);
}

async function route(req: IncomingMessage, res: ServerResponse, ctx: ApiContext): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://hub');
  // The one unauthenticated path: a container's or load balancer's health check carries no token.
  if (url.pathname === '/healthz') {
    requireMethod(req, res, 'GET');
    return (await ctx.store.readable()) ? send(res, 200, { status: 'ok' }) : send(res, 503, { status: 'unavailable', error: 'the database cannot be read' });
  }
  // Before anything else, so an unauthenticated caller learns nothing, not even which paths exist.
  requireOperator(req, res, ctx);
  if (url.pathname === '/api/reports') {
    requireMethod(req, res, 'GET');
    const { limit, after, ...filter } = parseWith(reportsQuery, queryObject(url.searchParams), 'query');
    const cursor = after === undefined ? undefined : decodeReportCursor(after);
    if (after !== undefined && !cursor) throw new HttpError(400, 'bad query: after: not a token from this hub\'s Link header');
    const page = await ctx.store.reports(filter, { ...(cursor ? { after: cursor } : {}), ...(limit !== undefined ? { limit } : {}) });
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
    parseWith(faultsQuery, queryObject(url.searchParams), 'query');
    return send(res, 200, { terminals: await ctx.store.openFaults() });
  }
  if (url.pathname === '/api/terminals') {
    requireMethod(req, res, 'GET');
    parseWith(z.strictObject({}), queryObject(url.searchParams), 'query');
    return send(res, 200, await ctx.presence.list());
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
    if ((await ctx.commands.post(terminal, message)) === 'not_connected') throw new HttpError(409, `terminal ${terminal} is not connected`);
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
  throw new HttpError(404, `no such resource: ${url.pathname}`);
}

export function handleApiRequest(req: IncomingMessage, res: ServerResponse, ctx: ApiContext): void {
  route(req, res, ctx).catch((err: unknown) => {
    if (err instanceof HttpError) {
      // An unread (oversize) body would otherwise be parsed as the next request on this connection.
      if (err.status === 413) res.setHeader('connection', 'close');
      return send(res, err.status, { error: err.message });
    }
    ctx.log.error({ err: (err as Error).message, url: req.url }, 'API request failed');
    send(res, 500, { error: 'internal error' });
  });
}
