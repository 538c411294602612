import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseDuration } from 'posdiag-protocol';
import { z } from 'zod';
import { auditRequest, HttpError, parseWith, queryObject, readJsonBody, requireMethod, send, type ApiContext, type RequestScope } from '../http-api.js';
import { duration, matchersSchema } from './config.js';
import { checkSilence, SilenceError, silenceState, type Silence } from './silences.js';

/**
 * The silence routes of the HTTP API (viewer GET, operator POST), as Alertmanager's /api/v2/silences:
 *
 *   GET  /api/silences?state=active|pending|expired
 *                       → 200 {silences: [ {id, matchers, startsAt, endsAt, createdBy, comment, state} ]} oldest first;
 *                         expired ones are kept for EXPIRED_KEPT_MS after they ended, as Alertmanager keeps them 5 days
 *   POST /api/silences {"matchers": {LABEL: VALUE | [VALUE…]}, "startsAt"?: ISO8601 (default now),
 *                       "endsAt": ISO8601 | "duration": "2h", "comment": "why"}
 *                       → 201 the silence; made by the request's principal, who is `createdBy`
 *   POST /api/silences/ID/expire → 200 the silence, ended now; 404
 *
 * Every hub's dispatcher hears of a change at once (the fleet's `silences` message) and reads the store
 * again every SILENCE_RELOAD_MS besides (silence-sync.ts). Audited as silence.create / silence.expire.
 */
export const EXPIRED_KEPT_MS = 5 * 24 * 3_600_000;

const isoTime = z
  .string()
  .refine((t) => !Number.isNaN(Date.parse(t)), 'an ISO 8601 time such as 2026-01-02T03:04:05Z')
  .transform(Date.parse);
const createBody = z
  .strictObject({ matchers: matchersSchema, startsAt: isoTime.optional(), endsAt: isoTime.optional(), duration: duration.optional(), comment: z.string().max(1000) })
  .refine((b) => (b.endsAt === undefined) !== (b.duration === undefined), 'give endsAt or duration, one of them');
const listQuery = z.strictObject({ state: z.enum(['active', 'pending', 'expired']).optional() });

export function silenceView(s: Silence, now: number) {
  return { ...s, startsAt: new Date(s.startsAt).toISOString(), endsAt: new Date(s.endsAt).toISOString(), state: silenceState(s, now) };
}

export async function routeSilences(req: IncomingMessage, res: ServerResponse, ctx: ApiContext, url: URL, scope: RequestScope): Promise<boolean> {
  const now = ctx.clock.now();
  if (url.pathname === '/api/silences') {
    if (req.method === 'GET') {
      const { state } = parseWith(listQuery, queryObject(url.searchParams), 'query');
      const all = (await ctx.store.silences.list(now - EXPIRED_KEPT_MS)).map((s) => silenceView(s, now));
      send(res, 200, { silences: state ? all.filter((s) => s.state === state) : all });
      return true;
    }
    requireMethod(req, res, 'POST');
    scope.action = 'silence.create';
    const body = parseWith(createBody, await readJsonBody(req), 'silence');
    const startsAt = body.startsAt ?? now;
    const input = { matchers: body.matchers, startsAt, endsAt: body.endsAt ?? startsAt + parseDuration(body.duration!), createdBy: scope.principal!.name, comment: body.comment };
    try {
      checkSilence(input);
    } catch (err) {
      if (err instanceof SilenceError) throw new HttpError(400, `bad silence: ${err.message}`);
      throw err;
    }
    const silence = await ctx.store.silences.add(input);
    Object.assign(scope, { target: silence.id, detail: `${JSON.stringify(silence.matchers)} until ${new Date(silence.endsAt).toISOString()}: ${silence.comment}` });
    await ctx.silencesChanged();
    await auditRequest(req, ctx, scope, 201, undefined);
    send(res, 201, silenceView(silence, now));
    return true;
  }
  const expire = /^\/api\/silences\/([^/]+)\/expire$/.exec(url.pathname);
  if (!expire) return false;
  requireMethod(req, res, 'POST');
  Object.assign(scope, { action: 'silence.expire', target: expire[1] });
  const silence = await ctx.store.silences.expire(expire[1]!, now);
  if (!silence) throw new HttpError(404, `no silence ${expire[1]}`);
  await ctx.silencesChanged();
  await auditRequest(req, ctx, scope, 200, undefined);
  send(res, 200, silenceView(silence, now));
  return true;
}
