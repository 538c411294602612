import type { IncomingMessage, ServerResponse } from 'node:http';
import { terminalIdSchema } from 'posdiag-protocol';
import { z } from 'zod';
import { auditRequest, HttpError, parseWith, queryObject, readJsonBody, requireMethod, send, type ApiContext, type RequestScope } from '../http-api.js';
import type { WorkOrderStore } from '../store/store.js';
import { attachmentView, routeAttachments } from './attachment-api.js';
import { normalRef } from './refs.js';
import { logView, swapView, workOrdersCsv, workOrderView } from './view.js';
import { WORK_ORDER_STATES, type WorkOrderLogEntry, type WorkOrderQuery, type WorkOrderRecord } from './work-order.js';
import { actOnOrder, openOrder, ORDER_ACTIONS, type OrderAction } from './workorder-actions.js';

/**
 * The work order routes of the HTTP API (viewer GET, operator POST), docs/spec.md §7:
 *
 *   GET  /api/workorders?terminal=&state=&kind=repair|lost&limit=N (1…1000, default 100)&after=ID, or ?ref=WO-XXXXXX (any case, WO- optional)
 *                                → 200 {workorders: [ order ]} newest first; `Link: <…&after=ID>; rel="next"` when there may be more
 *   GET  /api/workorders.csv?…   → 200 text/csv, the same filters (at most 10000 rows)
 *   POST /api/workorders {terminal, alarm?, comment?, contact?, address?, notes?} → 201 order; 404 unknown terminal or alarm; 409 one open already
 *   GET  /api/workorders/ID      → 200 {...order, history, repairRequest, selfTest, swaps, attachments}; 404
 *   POST /api/workorders/ID/transition {to, comment?, override?} → 200 order; 409 {error: why not}
 *   POST /api/workorders/ID/assign {user | null, comment?}  → 200 order; 404 no such user (or one below operator)
 *   POST /api/workorders/ID/details {contact?, address?, notes?, comment?} → 200 order
 *   …/ID/attachments                         → attachment-api.ts
 *
 * Each action is audited as workorder.ACTION with the order's ref as its target; what each does is
 * workorder-actions.ts's, which the console calls too.
 */
const MAX_PAGE = 1000;
/** The CSV export's bound, in the console's download too. */
export const MAX_CSV = 10_000;
const wholeNumber = z.string().regex(/^[1-9][0-9]*$/, 'a whole number from 1').transform(Number);
/** The list's filters (the console's list takes the same, without `limit`). */
export const listQuery = z.strictObject({
  terminal: terminalIdSchema.optional(),
  state: z.enum(WORK_ORDER_STATES).optional(),
  kind: z.enum(['repair', 'lost']).optional(),
  limit: wholeNumber.refine((n) => n <= MAX_PAGE, `at most ${MAX_PAGE}`).optional(),
  after: wholeNumber.optional(),
  /** One order by its reference (refs.ts normalRef): the other filters do not apply. */
  ref: z.string().min(1).max(32).optional(),
});

/** The orders the list's filters find: by `ref` the one order of that reference (or none). */
export async function findOrders(store: WorkOrderStore, q: z.infer<typeof listQuery>, limit: number): Promise<WorkOrderRecord[]> {
  if (q.ref !== undefined) {
    const one = await store.byRef(normalRef(q.ref));
    return one ? [one] : [];
  }
  return store.list(storeQuery(q, limit));
}

/** The store's query for the list's filters, `limit` orders at most. */
export function storeQuery(q: z.infer<typeof listQuery>, limit: number): WorkOrderQuery {
  return {
    ...(q.terminal !== undefined ? { terminal: q.terminal } : {}),
    ...(q.state !== undefined ? { state: q.state } : {}),
    ...(q.kind !== undefined ? { kind: q.kind } : {}),
    ...(q.after !== undefined ? { before: q.after } : {}),
    limit,
  };
}

/** The CSV download (view.ts's columns), from the API and the console alike. */
export function sendWorkOrdersCsv(res: ServerResponse, orders: readonly WorkOrderRecord[]): void {
  const body = workOrdersCsv(orders);
  res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8', 'content-length': Buffer.byteLength(body), 'content-disposition': 'attachment; filename="workorders.csv"' });
  res.end(body);
}

/** Answers the work order routes; false when the path is not one of them. */
export async function routeWorkOrders(req: IncomingMessage, res: ServerResponse, ctx: ApiContext, url: URL, scope: RequestScope): Promise<boolean> {
  if (url.pathname === '/api/workorders' && req.method === 'POST') {
    const order = await openOrder(ctx, scope, await readJsonBody(req));
    await auditRequest(req, ctx, scope, 201, undefined);
    send(res, 201, workOrderView(order));
    return true;
  }
  if (url.pathname === '/api/workorders' || url.pathname === '/api/workorders.csv') {
    requireMethod(req, res, 'GET');
    const csv = url.pathname.endsWith('.csv');
    const q = parseWith(listQuery, queryObject(url.searchParams), 'query');
    const limit = csv ? MAX_CSV : (q.limit ?? 100);
    const list = await findOrders(ctx.store.workorders, q, limit);
    if (csv) {
      sendWorkOrdersCsv(res, list);
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
  if (!(ORDER_ACTIONS as readonly string[]).includes(action)) throw new HttpError(404, `no such resource: ${url.pathname}`);
  requireMethod(req, res, 'POST');
  const order = await actOnOrder(ctx, scope, id, action as OrderAction, await readJsonBody(req));
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
  return { ...workOrderView(order), history: log.map(logView), repairRequest: order.repairRequest, selfTest: selfTest ?? provenBy(order, log), swaps: swaps.map(swapView), attachments: attachments.map(attachmentView) };
}

/**
 * The linked self-test as the order's history keeps it, once retention has pruned the report itself:
 * its id, terminal, when it came and its result, marked `fromHistory`.
 */
export function provenBy(order: WorkOrderRecord, log: readonly WorkOrderLogEntry[]) {
  if (order.selfTestId === null) return null;
  const entry = [...log].reverse().find((e) => e.action === 'self_test' && e.detail?.includes(order.selfTestId!));
  const kept = entry?.detail ? (JSON.parse(entry.detail) as { reportId: string; receivedAt?: string; result?: unknown }) : undefined;
  if (!kept?.result || kept.reportId !== order.selfTestId) return null;
  return { id: kept.reportId, kind: 'self_test' as const, terminal: order.terminal, receivedAt: kept.receivedAt ?? null, result: kept.result, fromHistory: true };
}
