import type { IncomingMessage, ServerResponse } from 'node:http';
import { auditRequest, decodePathSegment, HttpError, readJsonBody, requireMethod, send, type ApiContext, type RequestScope } from '../http-api.js';
import { spareView, swapView, workOrderView } from './view.js';
import { markTerminal } from './workorder-actions.js';

/**
 * Lost terminals and physical units (viewer GET, operator POST), docs/spec.md §7:
 *
 *   POST /api/terminals/ID/lost {comment}      → 201 the lost order; 404 unknown terminal; 409 already lost
 *   POST /api/terminals/ID/unlock {comment?}   → 200 the lost order, closed; 409 not lost
 *   GET  /api/spares                           → 200 {spares: [ {serial, state, terminal, orderId, since} ]}
 *   GET  /api/units/SERIAL                     → 200 {serial, spare, workorders: [order], swaps: [swap]}: the unit's own history
 */
export async function routeUnits(req: IncomingMessage, res: ServerResponse, ctx: ApiContext, url: URL, scope: RequestScope): Promise<boolean> {
  const lost = /^\/api\/terminals\/([^/]+)\/(lost|unlock)$/.exec(url.pathname);
  if (lost) {
    requireMethod(req, res, 'POST');
    const marking = lost[2] === 'lost';
    const order = await markTerminal(ctx, scope, decodePathSegment(lost[1]!), marking ? 'lost' : 'unlock', await readJsonBody(req));
    await auditRequest(req, ctx, scope, marking ? 201 : 200, undefined);
    send(res, marking ? 201 : 200, workOrderView(order));
    return true;
  }
  if (url.pathname === '/api/spares') {
    requireMethod(req, res, 'GET');
    send(res, 200, { spares: (await ctx.store.workorders.spares()).map(spareView) });
    return true;
  }
  const unit = /^\/api\/units\/([^/]+)$/.exec(url.pathname);
  if (unit) {
    requireMethod(req, res, 'GET');
    const serial = decodePathSegment(unit[1]!);
    const [spare, orders, swaps] = await Promise.all([ctx.store.workorders.spare(serial), ctx.store.workorders.ofSerial(serial), ctx.store.workorders.swaps({ serial })]);
    if (!spare && orders.length === 0 && swaps.length === 0) throw new HttpError(404, `no unit ${serial} in any work order`);
    send(res, 200, { serial, spare: spare ? spareView(spare) : null, workorders: orders.map(workOrderView), swaps: swaps.map(swapView) });
    return true;
  }
  return false;
}
