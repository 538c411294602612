import type { ApiContext, RequestScope } from '../http-api.js';
import { HttpError } from '../http-api.js';
import { roleAllows, type Role } from '../operators/roles.js';
import type { WorkOrderRecord } from './work-order.js';

/** Whether `who` may move the order, edit its details and attach files: an operator, or the technician it is assigned to. */
export function worksOrder(who: { name: string; role: Role }, order: Pick<WorkOrderRecord, 'assignee'>): boolean {
  return roleAllows(who.role, 'operator') || (roleAllows(who.role, 'technician') && order.assignee === who.name);
}

/**
 * A technician works only the orders assigned to them (roles.ts lets them reach these routes at all,
 * and keeps assigning an operator's). An unknown order is left to the action's own 404.
 */
export async function mayWork(ctx: ApiContext, scope: RequestScope, id: number): Promise<void> {
  const who = scope.principal!;
  if (roleAllows(who.role, 'operator')) return;
  const order = await ctx.store.workorders.get(id);
  if (order && !worksOrder(who, order)) throw new HttpError(403, `${who.name} is a ${who.role}: work order ${order.ref} is assigned to ${order.assignee ?? 'nobody'}`);
}
