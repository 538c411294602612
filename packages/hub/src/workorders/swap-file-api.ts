import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { auditRequest, decodePathSegment, HttpError, requireMethod, type ApiContext, type RequestScope } from '../http-api.js';

/**
 * A swap file for a dead terminal's slot, from what the hub knows of it (issue 15): the agent's
 * `posdiag swap import FILE` on the spare reads it (packages/agent/src/repair/swap-file.ts is the
 * format; the hub builds the same JSON, it shares no code with the agent). The unit cannot run
 * `posdiag swap export` any more, so the hub gives what it holds: the slot's id, the serial its last
 * hello named, the highest seq it stored, the open repair order as the terminal was told it, and a
 * partial config of only the id and the terminal's token (`"source": "hub"`: the importer merges it onto
 * the spare's own config, which keeps its uplink url and TLS files). Admin only (roles.ts) and audited
 * though a GET: it hands out the terminal's token.
 *
 *   GET /api/terminals/ID/swap → 200 the swap file (attachment swap-ID.json); 404 unknown terminal;
 *                                409 no hello with a serial heard from it
 */
export async function routeSwapFile(req: IncomingMessage, res: ServerResponse, ctx: ApiContext, url: URL, scope: RequestScope): Promise<boolean> {
  const match = /^\/api\/terminals\/([^/]+)\/swap$/.exec(url.pathname);
  if (!match) return false;
  requireMethod(req, res, 'GET');
  const terminal = decodePathSegment(match[1]!);
  // Refusals are audited too: someone asked for a credential.
  Object.assign(scope, { auditRead: true, action: 'terminal.swap_file', target: terminal });
  if (!Object.hasOwn(ctx.tokens, terminal)) throw new HttpError(404, `unknown terminal ${terminal}`);
  const [card, lastSeq, order] = await Promise.all([ctx.store.inventory.cards([terminal]), ctx.store.lastSeq(terminal), ctx.workorders.latestOpenRepair(terminal)]);
  const fromSerial = card.get(terminal)?.inventory?.serial ?? null;
  if (fromSerial === null) throw new HttpError(409, `terminal ${terminal} never said its serial in a hello: the hub cannot name the unit the slot is taken from`);
  const swap = {
    format: 'posdiag-swap',
    version: 1,
    source: 'hub',
    swapId: randomUUID(),
    exportedAt: new Date(ctx.clock.now()).toISOString(),
    slot: { terminal, fromSerial, lastSeq },
    config: { terminal: { id: terminal }, uplink: { token: ctx.tokens[terminal]! } },
    credentials: {},
    workOrder: order ? ctx.workorders.workOrderArgs(order) : null,
  };
  scope.detail = `swap ${swap.swapId}: unit ${fromSerial}, seq ${lastSeq}${order ? `, work order ${order.ref}` : ''}`;
  await auditRequest(req, ctx, scope, 200, undefined);
  const body = JSON.stringify(swap, null, 2) + '\n';
  res.writeHead(200, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'content-disposition': `attachment; filename="swap-${terminal}.json"`,
    'cache-control': 'no-store',
  });
  res.end(body);
  return true;
}
