import type { AlarmRecord } from '../../alarms/alarm.js';
import { roleAllows, type Role } from '../../operators/roles.js';
import type { WorkOrderRecord } from '../../workorders/work-order.js';
import { isOpenState } from '../../workorders/work-order.js';
import type { PageRequest } from '../context.js';
import type { TimeFormat } from '../format.js';
import { html, type Html } from '../html.js';
import type { Translate } from '../i18n.js';
import { commentBox, csrfField } from './common.js';

/** Who may open and assign orders: an operator (roles.ts). */
export function canWorkOrders(role: Role): boolean {
  return roleAllows(role, 'operator');
}


export function orderLink(o: Pick<WorkOrderRecord, 'id' | 'ref'>): Html {
  return html`<a href="/workorders/${o.id}"><code>${o.ref}</code></a>`;
}

export function stateBadge(t: Translate, o: Pick<WorkOrderRecord, 'state'>): Html {
  return html`<span class="wo-state" data-state="${o.state}">${t(`woState.${o.state}`)}</span>`;
}

/** The SLA as a list shows it: what is due next (accept, then resolve) and any breach stamped. */
export function slaCell(t: Translate, time: TimeFormat, o: WorkOrderRecord): Html {
  const breaches = [o.acceptBreachedAt !== null ? t('wo.acceptBreached') : '', o.resolveBreachedAt !== null ? t('wo.resolveBreached') : ''].filter(Boolean);
  const due = !isOpenState(o.state) ? html`` : o.state === 'submitted' ? html`${t('wo.acceptDue')} ${time.el(o.acceptDueAt)}` : o.state === 'verified' ? html`` : html`${t('wo.resolveDue')} ${time.el(o.resolveDueAt)}`;
  return html`${due}${breaches.length ? html` <strong class="bad" data-breached>${breaches.join(' · ')}</strong>` : ''}`;
}

/** The form that opens a repair order for a terminal (from an alarm when `alarm` is given). */
export function openOrderForm(p: PageRequest, terminal: string, alarm?: AlarmRecord): Html {
  const { t } = p;
  return html`<form method="post" action="/workorders" class="inline" aria-label="${t('wo.open')}">${csrfField(p.session.csrf)}
<input type="hidden" name="terminal" value="${terminal}">${alarm ? html`<input type="hidden" name="alarm" value="${alarm.id}">` : ''}
${commentBox(t, alarm ? 'wo-open-comment' : 'wo-open-terminal-comment')}
<button type="submit">${t('wo.open')}</button></form>`;
}

/** On an alarm's page: the order opened from it or for its terminal and code, else the form to open one. */
export async function alarmWorkOrder(p: PageRequest, alarm: AlarmRecord): Promise<Html> {
  const { t } = p;
  const orders = await p.ctx.store.workorders.list({ terminal: alarm.terminal, limit: 100 });
  const order = orders.find((o) => o.alarmId === alarm.id) ?? orders.find((o) => o.code === alarm.code && isOpenState(o.state));
  if (order) return html`<p id="alarm-workorder">${orderLink(order)} ${stateBadge(t, order)}</p>`;
  return canWorkOrders(p.session.principal.role) ? openOrderForm(p, alarm.terminal, alarm) : html`<p class="note">${t('common.none')}</p>`;
}

/** On a terminal's page: its orders (open ones first), a form to open one, and mark lost / unlock. */
export async function terminalWorkOrders(p: PageRequest, terminal: string): Promise<Html> {
  const { t, time } = p;
  const orders = await p.ctx.store.workorders.list({ terminal, limit: 50 });
  const sorted = [...orders.filter((o) => isOpenState(o.state)), ...orders.filter((o) => !isOpenState(o.state))];
  const lost = orders.find((o) => o.kind === 'lost' && isOpenState(o.state));
  const role = p.session.principal.role;
  const target = (action: string) => `/terminals/${encodeURIComponent(terminal)}/${action}`;
  return html`${sorted.length
    ? html`<ul id="terminal-workorders">${sorted.map((o) => html`<li>${orderLink(o)} ${stateBadge(t, o)} ${t(`woKind.${o.kind}`)} <code>${o.code}</code> · ${time.el(o.openedAt)}</li>`)}</ul>`
    : html`<p class="note">${t('common.none')}</p>`}
${lost ? html`<p class="flash error" role="status">${t('wo.lostNow', { ref: lost.ref })}</p>` : ''}
<div class="actions">
${canWorkOrders(role) ? openOrderForm(p, terminal) : ''}
${roleAllows(role, 'admin') ? html`<p><a href="${target('swap')}" download>${t('wo.swapFile')}</a> <span class="note">${t('wo.swapFileNote')}</span></p>` : ''}
${roleAllows(role, 'operator')
  ? lost
    ? html`<form method="post" action="${target('unlock')}" aria-label="${t('wo.unlock')}">${csrfField(p.session.csrf)}${commentBox(t, 'unlock-comment')}<button type="submit">${t('wo.unlock')}</button></form>`
    : html`<form method="post" action="${target('lost')}" aria-label="${t('wo.markLost')}">${csrfField(p.session.csrf)}${commentBox(t, 'lost-comment', true)}<button type="submit">${t('wo.markLost')}</button></form>`
  : ''}
</div>`;
}
