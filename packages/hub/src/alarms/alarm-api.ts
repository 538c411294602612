import type { IncomingMessage, ServerResponse } from 'node:http';
import { categorySchema, severitySchema, terminalIdSchema } from 'posdiag-protocol';
import { z } from 'zod';
import type { TerminalState } from '../fleet/terminal-presence.js';
import { alarmKey } from '../notify/feed.js';
import type { DeliveryRecord } from '../store/store.js';
import { auditRequest, decodePathSegment, HttpError, parseWith, queryObject, readJsonBody, requireMethod, send, type ApiContext, type RequestScope } from '../http-api.js';
import { labelSet, takeLabelFilter } from '../labels/labels.js';
import type { AlarmLogEntry, AlarmRecord } from './alarm.js';
import { ActionConflict, type Action } from './transitions.js';
import { isoOrNull } from '../iso-time.js';

/**
 * The alarm routes of the HTTP API (http-api.ts calls `routeAlarms` first; viewer GET, operator POST/PUT):
 *
 *   GET  /api/alarms?status=active|cleared&ack=true|false&closed=true|false&severity=&category=&code=&terminal=
 *        &label.KEY=VALUE (each must match)&since=ISO8601&until=ISO8601 (the onset)&limit=N (1…1000, default 100)
 *                                 → 200 {alarms: [ alarm ]} newest first; `Link: <…&after=ID>; rel="next"` when there may be more
 *        alarm = {id, terminal, code, instance, severity, severitySetBy, category, status, acknowledged, assignee,
 *                 since, lastSeen, clearedAt, closed, closedAt, count, reportId, remindedAt} (times ISO 8601)
 *   GET  /api/alarms/ID           → 200 {...alarm, history: [ {at, actor, action, change} ], comments: [ {at, author,
 *                                    system, text} ], evidence: {report, selfTest, bundles}, deliveries: [ {id, receiver,
 *                                    state, createdAt, attempts: [ {at, hub, outcome, detail} ]} ] (oldest first; [] without
 *                                    --notify)}; 404
 *   POST /api/alarms/ID/ack|unack|close {"comment"?}, /comment {"comment"}, /assign {"user": NAME | null, "comment"?},
 *        /severity {"severity", "comment"?}
 *                                 → 200 the alarm; 404 no such alarm; 409 not possible now (closed, already acknowledged)
 *   POST /api/alarms/actions {"ids": [ID…], "action": …, and that action's fields}
 *                                 → 200 {results: [ {id, ok: true, alarm} | {id, ok: false, status: 404|409, error} ]}
 *   PUT  /api/terminals/ID/labels {"labels": {KEY: VALUE}} → 200 {terminal, labels}; 404 unknown terminal
 *
 * Each action is done as the request's principal and audited as alarm.ACTION (target the alarm's id).
 */
export const MAX_ALARMS_PAGE = 1000;
const DEFAULT_ALARMS_PAGE = 100;


export function alarmView(a: AlarmRecord) {
  return {
    id: a.id,
    terminal: a.terminal,
    code: a.code,
    instance: a.instance,
    severity: a.severity,
    severitySetBy: a.severitySetBy,
    category: a.category,
    status: a.status,
    acknowledged: a.acknowledged,
    assignee: a.assignee,
    since: isoOrNull(a.since),
    lastSeen: isoOrNull(a.lastSeen),
    clearedAt: isoOrNull(a.clearedAt),
    closed: a.closedAt !== null,
    closedAt: isoOrNull(a.closedAt),
    count: a.count,
    reportId: a.reportId,
    remindedAt: isoOrNull(a.remindedAt),
  };
}

const isoTime = z
  .string()
  .refine((t) => !Number.isNaN(Date.parse(t)), 'an ISO 8601 time such as 2026-01-02T03:04:05Z')
  .transform(Date.parse);
const wholeNumber = z.string().regex(/^[1-9][0-9]*$/, 'a whole number from 1').transform(Number);
const flag = z.enum(['true', 'false']).transform((v) => v === 'true');
const listQuery = z.strictObject({
  status: z.enum(['active', 'cleared']).optional(),
  ack: flag.optional(),
  closed: flag.optional(),
  severity: severitySchema.optional(),
  category: categorySchema.optional(),
  code: z.string().min(1).optional(),
  terminal: terminalIdSchema.optional(),
  since: isoTime.optional(),
  until: isoTime.optional(),
  limit: wholeNumber.refine((n) => n <= MAX_ALARMS_PAGE, `at most ${MAX_ALARMS_PAGE}`).optional(),
  after: wholeNumber.optional(),
});
const labelsBody = z.strictObject({ labels: labelSet });

const comment = z.string().min(1).max(4000);
const ACTION_BODIES = {
  ack: z.strictObject({ comment: comment.optional() }),
  unack: z.strictObject({ comment: comment.optional() }),
  close: z.strictObject({ comment: comment.optional() }),
  comment: z.strictObject({ comment }),
  assign: z.strictObject({ user: z.string().min(1).max(128).nullable(), comment: comment.optional() }),
  severity: z.strictObject({ severity: severitySchema, comment: comment.optional() }),
};
export type ActionName = keyof typeof ACTION_BODIES;
export const actionName = z.enum(Object.keys(ACTION_BODIES) as [ActionName, ...ActionName[]]);
const bulkBody = z.looseObject({ ids: z.array(z.number().int().positive()).min(1).max(MAX_ALARMS_PAGE), action: actionName });

export function parseAction(name: ActionName, body: unknown): Action {
  return { action: name, ...parseWith(ACTION_BODIES[name], body, `${name} body`) } as Action;
}

/** What the audit entry says an action did besides its name. */
export function actionDetail(a: Action): string | undefined {
  if (a.action === 'assign') return `assignee ${a.user ?? '(none)'}`;
  if (a.action === 'severity') return `severity ${a.severity}`;
  return undefined;
}

/** Answers the alarm routes; false when the path is not one of them. */
export async function routeAlarms(req: IncomingMessage, res: ServerResponse, ctx: ApiContext, url: URL, scope: RequestScope): Promise<boolean> {
  if (url.pathname === '/api/alarms') {
    requireMethod(req, res, 'GET');
    await listAlarms(res, ctx, url);
    return true;
  }
  if (url.pathname === '/api/alarms/actions') {
    requireMethod(req, res, 'POST');
    const body = parseWith(bulkBody, await readJsonBody(req), 'bulk action');
    const { ids, action: name, ...rest } = body;
    Object.assign(scope, { action: `alarm.${name}`, target: ids.join(',') });
    const action = parseAction(name, rest);
    scope.detail = actionDetail(action);
    const results = [];
    for (const id of ids) {
      try {
        const alarm = await ctx.alarms.act(id, action, scope.principal!.name);
        results.push(alarm ? { id, ok: true, alarm: alarmView(alarm) } : { id, ok: false, status: 404, error: `no alarm ${id}` });
      } catch (err) {
        if (!(err instanceof ActionConflict)) throw err;
        results.push({ id, ok: false, status: 409, error: err.message });
      }
    }
    const failed = results.filter((r) => !r.ok).map((r) => r.id);
    if (failed.length) scope.detail = [scope.detail, `not done for ${failed.join(',')}`].filter(Boolean).join('; ');
    await auditRequest(req, ctx, scope, 200, undefined);
    send(res, 200, { results });
    return true;
  }
  const one = /^\/api\/alarms\/([1-9][0-9]{0,15})(?:\/([a-z]+))?$/.exec(url.pathname);
  if (one) {
    const id = Number(one[1]);
    if (one[2] === undefined) {
      requireMethod(req, res, 'GET');
      await showAlarm(res, ctx, id);
      return true;
    }
    const parsed = actionName.safeParse(one[2]);
    if (!parsed.success) throw new HttpError(404, `no such resource: ${url.pathname}`);
    requireMethod(req, res, 'POST');
    Object.assign(scope, { action: `alarm.${parsed.data}`, target: String(id) });
    const action = parseAction(parsed.data, await readJsonBody(req));
    scope.detail = actionDetail(action);
    let alarm: AlarmRecord | undefined;
    try {
      alarm = await ctx.alarms.act(id, action, scope.principal!.name);
    } catch (err) {
      throw err instanceof ActionConflict ? new HttpError(409, err.message) : err;
    }
    if (!alarm) throw new HttpError(404, `no alarm ${id}`);
    await auditRequest(req, ctx, scope, 200, undefined);
    send(res, 200, alarmView(alarm));
    return true;
  }
  const labels = /^\/api\/terminals\/([^/]+)\/labels$/.exec(url.pathname);
  if (labels) {
    requireMethod(req, res, 'PUT');
    const terminal = decodePathSegment(labels[1]!);
    if (!Object.hasOwn(ctx.tokens, terminal)) throw new HttpError(404, `unknown terminal ${terminal}`);
    const body = parseWith(labelsBody, await readJsonBody(req), 'labels');
    Object.assign(scope, { action: 'terminal.labels', target: terminal, detail: JSON.stringify(body.labels) });
    await ctx.store.alarms.setLabels(terminal, body.labels);
    await auditRequest(req, ctx, scope, 200, undefined);
    send(res, 200, { terminal, labels: body.labels });
    return true;
  }
  return false;
}

async function listAlarms(res: ServerResponse, ctx: ApiContext, url: URL): Promise<void> {
  const query = queryObject(url.searchParams);
  const labels = takeLabelFilter(query);
  const q = parseWith(listQuery, query, 'query');
  const limit = q.limit ?? DEFAULT_ALARMS_PAGE;
  const alarms = await ctx.store.alarms.list({
    ...(q.status !== undefined ? { status: q.status } : {}),
    ...(q.ack !== undefined ? { acknowledged: q.ack } : {}),
    ...(q.closed !== undefined ? { closed: q.closed } : {}),
    ...(q.severity !== undefined ? { severity: q.severity } : {}),
    ...(q.category !== undefined ? { category: q.category } : {}),
    ...(q.code !== undefined ? { code: q.code } : {}),
    ...(q.terminal !== undefined ? { terminal: q.terminal } : {}),
    ...(q.since !== undefined ? { sinceMs: q.since } : {}),
    ...(q.until !== undefined ? { untilMs: q.until } : {}),
    ...(q.after !== undefined ? { before: q.after } : {}),
    labels,
    limit,
  });
  if (alarms.length === limit) {
    const next = new URLSearchParams(url.searchParams);
    next.set('after', String(alarms.at(-1)!.id));
    res.setHeader('link', `</api/alarms?${next}>; rel="next"`);
  }
  send(res, 200, { alarms: alarms.map(alarmView) });
}

async function showAlarm(res: ServerResponse, ctx: ApiContext, id: number): Promise<void> {
  const alarm = await ctx.store.alarms.alarm(id);
  if (!alarm) throw new HttpError(404, `no alarm ${id}`);
  const [log, report, selfTest, bundles, deliveries] = await Promise.all([
    ctx.store.alarms.log(id),
    alarm.reportId === null ? undefined : ctx.store.alarms.report(alarm.reportId),
    ctx.store.alarms.latestSelfTest(alarm.terminal),
    ctx.store.listBundles(alarm.terminal),
    ctx.deliveriesFor(alarmKey(alarm)),
  ]);
  const history = log.filter((e) => e.kind === 'history').map((e: AlarmLogEntry) => ({ at: isoOrNull(e.at), actor: e.actor, action: e.action, change: JSON.parse(e.detail) as unknown }));
  const comments = log.filter((e) => e.kind === 'comment').map((e) => ({ at: isoOrNull(e.at), author: e.actor, system: e.action === 'system', text: e.detail }));
  // The raising report as far as the repair goes: what fired it, the readings around the onset, the repair request.
  const raising =
    report?.kind === 'fault'
      ? { id: report.id, seq: report.seq, receivedAt: report.receivedAt, since: report.since, summary: report.summary, device: report.device, evidence: report.evidence, stepsTried: report.stepsTried, repairRequest: report.repairRequest ?? null }
      : null;
  send(res, 200, { ...alarmView(alarm), history, comments, evidence: { report: raising, selfTest: selfTest ?? null, bundles }, deliveries: deliveries.map(deliveryView) });
}

/** Who was notified of the alarm, when, delivered or why not: each delivery with its attempts. */
function deliveryView(d: DeliveryRecord) {
  return { ...d, createdAt: isoOrNull(d.createdAt), attempts: d.attempts.map((a) => ({ ...a, at: isoOrNull(a.at) })) };
}

/** GET /api/terminals: each terminal's state with its labels and how many active alarms it has open. */
export async function terminalsWithAlarms(ctx: ApiContext, terminals: TerminalState[]) {
  const [labels, open] = await Promise.all([ctx.store.alarms.labels(), ctx.store.alarms.openCounts()]);
  return terminals.map((t) => ({ ...t, labels: labels.get(t.id) ?? {}, openAlarms: open.get(t.id) ?? 0 }));
}
