import { auditRequest, HttpError, type RequestScope } from '../../http-api.js';
import { actOnOrder, markTerminal, openOrder, type OrderAction } from '../../workorders/workorder-actions.js';
import type { PageRequest } from '../context.js';
import { ConsoleError, redirect } from '../respond.js';
import { actionScope } from './common.js';

/**
 * The work order forms' POSTs: each form becomes the API's JSON body and goes to the same action
 * (workorders/workorder-actions.ts), done as the signed-in operator and audited under the same names
 * (workorder.open, workorder.transition|assign|details, terminal.lost|unlock). A refusal is the
 * API's status with its reason (a move the table does not allow: 409).
 */

/** A form field as the API's optional text: an empty box is not given. */
const given = (form: URLSearchParams, name: string) => form.get(name)?.trim() || undefined;
/** An edited field: an emptied box clears it. */
const edited = (form: URLSearchParams, name: string) => (form.has(name) ? form.get(name)!.trim() || null : undefined);
const defined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/**
 * Runs a console action the API's way: an HttpError it throws is audited with its status and shown as
 * the console's error; nothing (undefined) is a 404; else the deed is audited with `okStatus` (a route
 * that audited itself already is not audited twice: auditRequest keeps one entry per scope).
 */
export async function audited<T>(p: PageRequest, scope: RequestScope, okStatus: number, run: () => Promise<T | undefined>): Promise<T> {
  let done: T | undefined;
  try {
    done = await run();
    if (done === undefined) throw new HttpError(404, p.t('common.notFound'));
  } catch (err) {
    if (!(err instanceof HttpError)) throw err;
    await auditRequest(p.req, p.ctx, scope, err.status, err.message);
    throw new ConsoleError(err.status, p.t('common.badRequest', { reason: err.message }));
  }
  await auditRequest(p.req, p.ctx, scope, okStatus, undefined);
  return done;
}

/** POST /workorders (terminal, alarm?, comment?, contact?, address?, notes?). */
export async function openWorkOrder(p: PageRequest, form: URLSearchParams): Promise<null> {
  const alarm = given(form, 'alarm');
  const body = defined({
    terminal: form.get('terminal') ?? '', alarm: alarm && /^[1-9][0-9]{0,15}$/.test(alarm) ? Number(alarm) : alarm,
    comment: given(form, 'comment'), contact: given(form, 'contact'), address: given(form, 'address'), notes: given(form, 'notes'),
  });
  const s = actionScope(p, 'workorder.open');
  const order = await audited(p, s, 201, () => openOrder(p.ctx, s, body));
  redirect(p.res, `/workorders/${order.id}`);
  return null;
}

function actionBody(action: OrderAction, form: URLSearchParams): Record<string, unknown> {
  const comment = given(form, 'comment');
  if (action === 'transition') return defined({ to: form.get('to') ?? '', comment, override: form.get('override') === 'true' ? true : undefined });
  if (action === 'assign') return defined({ user: given(form, 'user') ?? null, comment });
  return defined({ contact: edited(form, 'contact'), address: edited(form, 'address'), notes: edited(form, 'notes'), comment });
}

/** POST /workorders/ID/transition (to, comment?, override?), /assign (user, comment?), /details (contact, address, notes, comment?). */
export async function workOrderAction(p: PageRequest, id: number, action: OrderAction, form: URLSearchParams): Promise<null> {
  const s = actionScope(p, `workorder.${action}`);
  await audited(p, s, 200, () => actOnOrder(p.ctx, s, id, action, actionBody(action, form)));
  redirect(p.res, `/workorders/${id}`);
  return null;
}

/** POST /terminals/ID/lost (comment) and /unlock (comment?). */
export async function terminalLost(p: PageRequest, terminal: string, action: 'lost' | 'unlock', form: URLSearchParams): Promise<null> {
  const s = actionScope(p, `terminal.${action}`);
  await audited(p, s, action === 'lost' ? 201 : 200, () => markTerminal(p.ctx, s, terminal, action, defined({ comment: given(form, 'comment') })));
  redirect(p.res, `/terminals/${encodeURIComponent(terminal)}`);
  return null;
}
