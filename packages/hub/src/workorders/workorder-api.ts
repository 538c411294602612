import type { IncomingMessage, ServerResponse } from 'node:http';
import { terminalIdSchema } from 'posdiag-protocol';
import { z } from 'zod';
import { auditRequest, HttpError, parseWith, queryObject, readJsonBody, requireMethod, send, type ApiContext, type RequestScope } from '../http-api.js';
import { roleAllows } from '../operators/roles.js';
import { attachmentView, routeAttachments } from './attachment-api.js';
import { mayWork } from './may-work.js';
import { logView, swapView, workOrdersCsv, workOrderView } from './view.js';
import { WORK_ORDER_STATES, type WorkOrderRecord } from './work-order.js';
import { OPERATOR_CODE, WorkOrderConflict } from './workorders.js';

/**
 * The work order routes of the HTTP API (viewer GET, operator POST), docs/spec.md §7:
 *
 *   GET  /api/workorders?terminal=&state=&kind=repair|lost&limit=N (1…1000, default 100)&after=ID
 *                                → 200 {workorders: [ order ]} newest first; `Link: <…&after=ID>; rel="next"` when there may be more
 *   GET  /api/workorders.csv?…   → 200 text/csv, the same filters (at most 10000 rows)
 *   POST /api/workorders {terminal, alarm?, comment?, contact?, address?, notes?} → 201 order; 404 unknown terminal or alarm; 409 one open already
 *   GET  /api/workorders/ID      → 200 {...order, history, repairRequest, selfTest, swaps, attachments}; 404
 *   POST /api/workorders/ID/transition {to, comment?, override?} → 200 order; 409 {error: why not}
 *   POST /api/workorders/ID/assign {user | null, comment?}  → 200 order; 404 no such user (or one below operator)
 *   POST /api/workorders/ID/details {contact?, address?, notes?, comment?} → 200 order
 *   …/ID/attachments                         → attachment-api.ts
 *
 * Each action is audited as workorder.ACTION with the order's ref as its target.
 */
const MAX_PAGE = 1000;
const MAX_CSV = 10_000;
const wholeNumber = z.string().regex(/^[1-9][0-9]*$/, 'a whole number from 1').transform(Number);
const listQuery = z.strictObject({
  terminal: terminalIdSchema.optional(),
  state: z.enum(WORK_ORDER_STATES).optional(),
  kind: z.enum(['repair', 'lost']).optional(),
  limit: wholeNumber.refine((n) => n <= MAX_PAGE, `at most ${MAX_PAGE}`).optional(),
  after: wholeNumber.optional(),
});
const comment = z.string().min(1).max(4000);
const text = z.string().max(1000).nullable();
const openBody = z.strictObject({ terminal: terminalIdSchema, alarm: z.number().int().positive().optional(), comment: comment.optional(), contact: text.optional(), address: text.optional(), notes: z.string().max(4000).nullable().optional() });
const transitionBody = z.strictObject({ to: z.enum(WORK_ORDER_STATES), comment: comment.optional(), override: z.boolean().optional() });
const assignBody = z.strictObject({ user: z.string().min(1).max(128).nullable(), comment: comment.optional() });
const detailsBody = z.strictObject({ contact: text.optional(), address: text.optional(), notes: z.string().max(4000).nullable().optional(), comment: comment.optional() });

const conflict = async <T>(run: () => Promise<T>): Promise<T> => {
  try {
    return await run();
  } catch (err) {
    throw err instanceof WorkOrderConflict ? new HttpError(409, err.message) : err;
  }
};

/** Answers the work order routes; false when the path is not one of them. */
export async function routeWorkOrders(req: IncomingMessage, res: ServerResponse, ctx: ApiContext, url: URL, scope: RequestScope): Promise<boolean> {
  const orders = ctx.workorders;
  if (url.pathname === '/api/workorders' && req.method === 'POST') {
    const body = parseWith(openBody, await readJsonBody(req), 'work order');
    if (!Object.hasOwn(ctx.tokens, body.terminal)) throw new HttpError(404, `unknown terminal ${body.terminal}`);
    Object.assign(scope, { action: 'workorder.open', target: body.terminal });
    const alarm = body.alarm === undefined ? undefined : await ctx.store.alarms.alarm(body.alarm);
    if (body.alarm !== undefined && (!alarm || alarm.terminal !== body.terminal)) throw new HttpError(404, `no alarm ${body.alarm} on terminal ${body.terminal}`);
    const report = alarm?.reportId ? await ctx.store.alarms.report(alarm.reportId) : undefined;
    const repairRequest = report?.kind === 'fault' ? (report.repairRequest ?? null) : null;
    const inventory = (await ctx.store.inventory.all()).get(body.terminal);
    const order = await conflict(() =>
      orders.open({
        terminal: body.terminal, kind: 'repair', code: alarm?.code ?? OPERATOR_CODE, severity: alarm?.severity ?? 'major',
        serial: inventory?.serial ?? repairRequest?.terminal.serial ?? null, repairRequest, reportId: alarm?.reportId ?? null, alarmId: alarm?.id ?? null,
        comment: body.comment ?? null, contact: body.contact ?? null, address: body.address ?? null, notes: body.notes ?? null, actor: scope.principal!.name,
      }),
    );
    scope.target = order.ref;
    await auditRequest(req, ctx, scope, 201, undefined);
    send(res, 201, workOrderView(order));
    return true;
  }
  if (url.pathname === '/api/workorders' || url.pathname === '/api/workorders.csv') {
    requireMethod(req, res, 'GET');
    const csv = url.pathname.endsWith('.csv');
    const q = parseWith(listQuery, queryObject(url.searchParams), 'query');
    const limit = csv ? MAX_CSV : (q.limit ?? 100);
    const list = await ctx.store.workorders.list({
      ...(q.terminal !== undefined ? { terminal: q.terminal } : {}),
      ...(q.state !== undefined ? { state: q.state } : {}),
      ...(q.kind !== undefined ? { kind: q.kind } : {}),
      ...(q.after !== undefined ? { before: q.after } : {}),
      limit,
    });
    if (csv) {
      const body = workOrdersCsv(list);
      res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8', 'content-length': Buffer.byteLength(body), 'content-disposition': 'attachment; filename="workorders.csv"' });
      res.end(body);
      return true;
    }
    if (list.length === limit) {
      const next = new URLSearchParams(url.searchParams);
      next.set('after', String(list.at(-1)!.id));
      res.setHeader('link', `</api/workorders?${next}>; rel="next"`);
    }
    send(res, 200, { workorders: list.map(workOrderView) });
    return true;
  }
  if (await routeAttachments(req, res, ctx, url, scope)) return true;
  const one = /^\/api\/workorders\/([1-9][0-9]{0,15})(?:\/([a-z]+))?$/.exec(url.pathname);
  if (!one) return false;
  const id = Number(one[1]);
  const action = one[2];
  if (action === undefined) {
    requireMethod(req, res, 'GET');
    const order = await ctx.store.workorders.get(id);
    if (!order) throw new HttpError(404, `no work order ${id}`);
    send(res, 200, await details(ctx, order));
    return true;
  }
  if (!['transition', 'assign', 'details'].includes(action)) throw new HttpError(404, `no such resource: ${url.pathname}`);
  requireMethod(req, res, 'POST');
  Object.assign(scope, { action: `workorder.${action}`, target: String(id) });
  const actor = scope.principal!.name;
  await mayWork(ctx, scope, id, action);
  let order: WorkOrderRecord | undefined;
  if (action === 'transition') {
    const body = parseWith(transitionBody, await readJsonBody(req), 'transition');
    scope.detail = `to ${body.to}${body.override ? ' (override)' : ''}`;
    order = await conflict(() => orders.transition(id, { to: body.to, comment: body.comment, override: body.override, actor }));
  } else if (action === 'assign') {
    const body = parseWith(assignBody, await readJsonBody(req), 'assign');
    if (body.user !== null) {
      const user = await ctx.store.operators.user(body.user);
      // Whoever is assigned must be able to work the order through the API.
      if (!user || user.disabled || !roleAllows(user.role, 'technician')) throw new HttpError(404, `no enabled user ${body.user} with the technician role or above`);
    }
    scope.detail = `assignee ${body.user ?? '(none)'}`;
    order = await conflict(() => orders.edit(id, 'assign', { assignee: body.user }, actor, body.comment ?? null));
  } else {
    const { comment: note, ...change } = parseWith(detailsBody, await readJsonBody(req), 'details');
    order = await conflict(() => orders.edit(id, 'details', change, actor, note ?? null));
  }
  if (!order) throw new HttpError(404, `no work order ${id}`);
  await auditRequest(req, ctx, scope, 200, undefined);
  send(res, 200, workOrderView(order));
  return true;
}

/** One order with everything that proves its story: history, the repair request, the linked self-test, the swaps. */
async function details(ctx: ApiContext, order: WorkOrderRecord) {
  const [log, selfTest, swaps, attachments] = await Promise.all([
    ctx.store.workorders.log(order.id),
    order.selfTestId === null ? undefined : ctx.store.alarms.report(order.selfTestId),
    ctx.store.workorders.swaps({ orderId: order.id }),
    ctx.store.workorders.attachments(order.id),
  ]);
  return { ...workOrderView(order), history: log.map(logView), repairRequest: order.repairRequest, selfTest: selfTest ?? null, swaps: swaps.map(swapView), attachments: attachments.map(attachmentView) };
}
