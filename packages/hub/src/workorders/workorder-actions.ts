import { terminalIdSchema } from 'posdiag-protocol';
import { z } from 'zod';
import { HttpError, parseWith, type ApiContext, type RequestScope } from '../http-api.js';
import { roleAllows } from '../operators/roles.js';
import type { UserRecord } from '../store/store.js';
import { mayWork } from './may-work.js';
import { WORK_ORDER_STATES, type WorkOrderRecord } from './work-order.js';
import { OPERATOR_CODE, WorkOrderConflict } from './workorders.js';

/**
 * What an operator does to work orders and lost terminals, the same whether it comes from the API
 * (JSON bodies) or the console (forms turned into the same bodies): each checks its input with the
 * same schema, does the deed as `scope.principal`, and names it in `scope` (action, target, detail)
 * for the caller's audit entry. Refusals are HttpErrors: 400 bad input, 404 nothing of that name,
 * 409 not possible now (the reason from WorkOrders or LostTerminals).
 */
const comment = z.string().min(1).max(4000);
const text = z.string().max(1000).nullable();
const notes = z.string().max(4000).nullable();
export const openBody = z.strictObject({ terminal: terminalIdSchema, alarm: z.number().int().positive().optional(), comment: comment.optional(), contact: text.optional(), address: text.optional(), notes: notes.optional() });
export const transitionBody = z.strictObject({ to: z.enum(WORK_ORDER_STATES), comment: comment.optional(), override: z.boolean().optional() });
export const assignBody = z.strictObject({ user: z.string().min(1).max(128).nullable(), comment: comment.optional() });
export const detailsBody = z.strictObject({ contact: text.optional(), address: text.optional(), notes: notes.optional(), comment: comment.optional() });
const lostBody = z.strictObject({ comment });
const unlockBody = z.strictObject({ comment: comment.optional() });

export type OrderAction = 'transition' | 'assign' | 'details';
export const ORDER_ACTIONS: readonly OrderAction[] = ['transition', 'assign', 'details'];

const conflict = async <T>(run: () => Promise<T>): Promise<T> => {
  try {
    return await run();
  } catch (err) {
    throw err instanceof WorkOrderConflict ? new HttpError(409, err.message) : err;
  }
};

const actor = (scope: RequestScope) => scope.principal!.name;

/** Who may be assigned an order: an enabled user who can work it (the technician role or above). */
export function assignable(user: UserRecord): boolean {
  return !user.disabled && roleAllows(user.role, 'technician');
}

/**
 * POST /api/workorders: a repair order opened by hand. From an alarm of the terminal it takes the
 * alarm's code and severity, its report's repair request; the serial is the terminal's inventory's
 * (else the repair request's). Without one the code is `operator.opened`.
 */
export async function openOrder(ctx: ApiContext, scope: RequestScope, input: unknown): Promise<WorkOrderRecord> {
  const body = parseWith(openBody, input, 'work order');
  if (!Object.hasOwn(ctx.tokens, body.terminal)) throw new HttpError(404, `unknown terminal ${body.terminal}`);
  Object.assign(scope, { action: 'workorder.open', target: body.terminal });
  const alarm = body.alarm === undefined ? undefined : await ctx.store.alarms.alarm(body.alarm);
  if (body.alarm !== undefined && (!alarm || alarm.terminal !== body.terminal)) throw new HttpError(404, `no alarm ${body.alarm} on terminal ${body.terminal}`);
  const report = alarm?.reportId ? await ctx.store.alarms.report(alarm.reportId) : undefined;
  const repairRequest = report?.kind === 'fault' ? (report.repairRequest ?? null) : null;
  const inventory = (await ctx.store.inventory.all()).get(body.terminal);
  const order = await conflict(() =>
    ctx.workorders.open({
      terminal: body.terminal, kind: 'repair', code: alarm?.code ?? OPERATOR_CODE, severity: alarm?.severity ?? 'major',
      serial: inventory?.serial ?? repairRequest?.terminal.serial ?? null, repairRequest, reportId: alarm?.reportId ?? null, alarmId: alarm?.id ?? null,
      comment: body.comment ?? null, contact: body.contact ?? null, address: body.address ?? null, notes: body.notes ?? null, actor: actor(scope),
    }),
  );
  scope.target = order.ref;
  return order;
}

/** POST /api/workorders/ID/transition|assign|details; undefined when there is no order of that id. */
export async function actOnOrder(ctx: ApiContext, scope: RequestScope, id: number, action: OrderAction, input: unknown): Promise<WorkOrderRecord | undefined> {
  Object.assign(scope, { action: `workorder.${action}`, target: String(id) });
  await mayWork(ctx, scope, id);
  const orders = ctx.workorders;
  if (action === 'transition') {
    const body = parseWith(transitionBody, input, 'transition');
    scope.detail = `to ${body.to}${body.override ? ' (override)' : ''}`;
    return conflict(() => orders.transition(id, { to: body.to, comment: body.comment, override: body.override, actor: actor(scope) }));
  }
  if (action === 'assign') {
    const body = parseWith(assignBody, input, 'assign');
    if (body.user !== null) {
      const user = await ctx.store.operators.user(body.user);
      // Whoever is assigned must be able to work the order through the API.
      if (!user || !assignable(user)) throw new HttpError(404, `no enabled user ${body.user} with the technician role or above`);
    }
    scope.detail = `assignee ${body.user ?? '(none)'}`;
    return conflict(() => orders.edit(id, 'assign', { assignee: body.user }, actor(scope), body.comment ?? null));
  }
  const { comment: note, ...change } = parseWith(detailsBody, input, 'details');
  return conflict(() => orders.edit(id, 'details', change, actor(scope), note ?? null));
}

/** POST /api/terminals/ID/lost {comment} (the lost order, lock sent) or /unlock {comment?} (unlock sent, the order closed). */
export async function markTerminal(ctx: ApiContext, scope: RequestScope, terminal: string, action: 'lost' | 'unlock', input: unknown): Promise<WorkOrderRecord> {
  if (!Object.hasOwn(ctx.tokens, terminal)) throw new HttpError(404, `unknown terminal ${terminal}`);
  Object.assign(scope, { action: `terminal.${action}`, target: terminal });
  const order = await conflict(() => {
    if (action === 'lost') return ctx.lost.markLost(terminal, parseWith(lostBody, input, 'lost').comment, actor(scope));
    return ctx.lost.unlock(terminal, parseWith(unlockBody, input, 'unlock').comment ?? null, actor(scope));
  });
  scope.detail = order.ref;
  return order;
}
