import type { ApiContext, RequestScope } from '../http-api.js';
import { HttpError } from '../http-api.js';
import { roleAllows } from '../operators/roles.js';

/**
 * A technician works only the orders assigned to them (roles.ts lets them reach these routes at all);
 * assigning is an operator's. An unknown order is left to the action's own 404.
 */
export async function mayWork(ctx: ApiContext, scope: RequestScope, id: number, action: string): Promise<void> {
  const who = scope.principal!;
  if (roleAllows(who.role, 'operator')) return;
  if (action === 'assign') throw new HttpError(403, `${who.name} is a ${who.role}; assigning needs the operator role`);
  const order = await ctx.store.workorders.get(id);
  if (order && order.assignee !== who.name) throw new HttpError(403, `${who.name} is a ${who.role}: work order ${order.ref} is assigned to ${order.assignee ?? 'nobody'}`);
}
