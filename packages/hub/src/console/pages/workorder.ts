import type { SelfTestReport, Severity } from 'posdiag-protocol';
import { hasProof, movesFrom } from '../../workorders/transitions.js';
import type { WorkOrderLogEntry, WorkOrderRecord } from '../../workorders/work-order.js';
import { isOpenState } from '../../workorders/work-order.js';
import { assignable } from '../../workorders/workorder-actions.js';
import { provenBy } from '../../workorders/workorder-api.js';
import type { PageRequest, PageResult } from '../context.js';
import { localized } from '../format.js';
import { html, type Html } from '../html.js';
import type { MessageKey } from '../i18n.js';
import { ConsoleError } from '../respond.js';
import { commentBox, csrfField, severityBadge, terminalLink } from './common.js';
import { selfTestVerdict } from './self-test.js';
import { attachmentsSection } from './workorder-files.js';
import { canWorkOrders, stateBadge } from './workorder-parts.js';
import { worksOrder } from '../../workorders/may-work.js';

/**
 * GET /workorders/ID: the order's facts, SLA and merchant page; its history (every line); the repair
 * request; the self-test linked as proof; the swaps; and the forms to move it (only the moves the
 * table allows now), assign it and edit its details. The live part (facts, history, proof, swaps)
 * refreshes on the hub's events and every 5 s (a self-test or a swap changes an order without an
 * alarm event); `?fragment=live` answers it alone.
 */
export async function workOrderPage(p: PageRequest, id: number): Promise<PageResult> {
  const order = await p.ctx.store.workorders.get(id);
  if (!order) throw new ConsoleError(404, p.t('common.notFound'));
  const live = await liveSection(p, order);
  if (p.url.searchParams.get('fragment') === 'live') return { fragment: live };
  const { t } = p;
  return {
    title: order.ref,
    live: true,
    body: html`<h1>${t('wo.one', { ref: order.ref })} ${severityBadge(t, order.severity as Severity)}</h1>
<div id="wo-live" hx-get="/workorders/${id}?fragment=live" hx-trigger="posdiag:alarm from:body, every 5s" hx-swap="innerHTML">${live}</div>
<h2>${t('alarm.actions')}</h2>
${worksOrder(p.session.principal, order) ? await forms(p, order) : html`<p class="note">${t('common.forbidden', { role: p.session.principal.role })}</p>`}
<h2>${t('alarm.repairRequest')}</h2>
${repairRequest(p, order)}`,
  };
}

async function liveSection(p: PageRequest, o: WorkOrderRecord): Promise<Html> {
  const { t, time } = p;
  const [log, selfTest, swaps, files] = await Promise.all([
    p.ctx.store.workorders.log(o.id),
    o.selfTestId === null ? undefined : p.ctx.store.alarms.report(o.selfTestId),
    p.ctx.store.workorders.swaps({ orderId: o.id }),
    p.ctx.store.workorders.attachments(o.id),
  ]);
  // The report itself while it is kept, else the verdict the order's history kept of it.
  const proof = selfTest?.kind === 'self_test' ? selfTest : (provenBy(o, log) as Pick<SelfTestReport, 'result'> | null);
  const url = p.ctx.workorders.pageUrl(o);
  const fact = (key: MessageKey, value: Html | string | null) => html`<dt>${t(key)}</dt><dd>${value ?? ''}</dd>`;
  return html`<dl class="facts">
${fact('wo.ref', html`<code>${o.ref}</code>`)}
${fact('alarms.terminal', terminalLink(o.terminal))}
${fact('wo.kind', t(`woKind.${o.kind}`))}
${fact('wo.state', html`<span data-wo-state>${stateBadge(t, o)}</span>`)}
${fact('alarms.code', html`<code>${o.code}</code>${o.alarmId !== null ? html` · <a href="/alarms/${o.alarmId}">${t('alarm.title', { id: o.alarmId })}</a>` : ''}`)}
${fact('terminals.serial', o.serial)}
${fact('wo.currentSerial', o.currentSerial)}
${fact('alarms.assignee', o.assignee ?? t('common.none'))}
${fact('wo.contact', o.contact)}
${fact('wo.address', o.address)}
${fact('wo.notes', o.notes)}
${fact('wo.acceptDue', html`${time.el(o.acceptDueAt)}${o.acceptBreachedAt !== null ? html` <strong class="bad">${t('wo.acceptBreached')} ${time.el(o.acceptBreachedAt)}</strong>` : ''}`)}
${fact('wo.resolveDue', html`${time.el(o.resolveDueAt)}${o.resolveBreachedAt !== null ? html` <strong class="bad">${t('wo.resolveBreached')} ${time.el(o.resolveBreachedAt)}</strong>` : ''}`)}
${fact('wo.opened', html`${o.openedBy} · ${time.el(o.openedAt)}`)}
${fact('wo.updatedAt', time.el(o.updatedAt))}
${o.closedAt !== null ? fact('wo.closedAt', time.el(o.closedAt)) : ''}
${fact('wo.proven', hasProof(o) ? t('common.yes') : t('common.no'))}
${url ? fact('wo.merchantPage', html`<a href="${url}" rel="noreferrer">${url}</a>`) : ''}
</dl>
<section aria-labelledby="h-wo-history"><h2 id="h-wo-history">${t('wo.history')}</h2>
<table id="wo-history"><thead><tr><th scope="col">${t('common.time')}</th><th scope="col">${t('audit.principal')}</th><th scope="col">${t('audit.action')}</th><th scope="col">${t('wo.fromTo')}</th><th scope="col">${t('common.comment')}</th><th scope="col">${t('audit.detail')}</th></tr></thead>
<tbody>${log.map((e) => historyRow(p, e))}</tbody></table></section>
<div class="grid">
<section class="card" aria-labelledby="h-wo-proof"><h2 id="h-wo-proof">${t('wo.proof')}</h2>${proof ? selfTestVerdict(p, proof) : html`<p class="note">${t('common.none')}</p>`}</section>
<section class="card" aria-labelledby="h-wo-swaps"><h2 id="h-wo-swaps">${t('wo.swaps')}</h2>${swaps.length
    ? html`<table id="wo-swaps"><thead><tr><th scope="col">${t('wo.slot')}</th><th scope="col">${t('wo.serials')}</th><th scope="col">${t('common.time')}</th><th scope="col">${t('wo.completedBy')}</th></tr></thead>
<tbody>${swaps.map((s) => html`<tr><td>${terminalLink(s.terminal)}</td><td>${s.oldSerial} → ${s.newSerial}</td><td>${time.el(s.at)}</td><td>${s.completedAt !== null ? html`${time.el(s.completedAt)} <code>${s.selfTestId}</code>` : t('wo.notCompleted')}</td></tr>`)}</tbody></table>`
    : html`<p class="note">${t('common.none')}</p>`}</section>
</div>
<section aria-labelledby="h-wo-files"><h2 id="h-wo-files">${t('wo.attachments')}</h2>${attachmentsSection(p, o, files)}</section>`;
}

const ACTIONS = new Set(['opened', 'repeat', 'transition', 'override', 'assign', 'details', 'self_test', 'swap', 'swap_completed', 'sla_breached', 'lost_online', 'unlock', 'attachment']);

function historyRow(p: PageRequest, e: WorkOrderLogEntry): Html {
  const { t, time } = p;
  const action = ACTIONS.has(e.action) ? t(`woAction.${e.action}` as MessageKey) : e.action;
  const move = e.from || e.to ? html`${e.from ? t(`woState.${e.from}`) : ''} → ${e.to ? t(`woState.${e.to}`) : ''}` : '';
  return html`<tr data-action="${e.action}"><td>${time.el(e.at)}</td><td>${e.actor}</td><td>${action}</td><td>${move}</td><td class="comment-text">${e.comment ?? ''}</td><td class="note">${detailText(e.detail)}</td></tr>`;
}

function detailText(detail: string | null): string {
  if (detail === null) return '';
  try {
    return Object.entries(JSON.parse(detail) as Record<string, unknown>)
      .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(', ');
  } catch {
    return detail;
  }
}

function repairRequest(p: PageRequest, o: WorkOrderRecord): Html {
  const { t, time } = p;
  const rr = o.repairRequest;
  if (!rr) return html`<p class="note">${t('common.none')}</p>`;
  const part = [rr.part.device, rr.part.identity?.model, rr.part.identity?.serial].filter(Boolean).join(' · ');
  return html`<dl class="facts" id="wo-repair-request">
<dt>${t('terminals.model')}</dt><dd>${rr.terminal.model}</dd>
<dt>${t('terminals.serial')}</dt><dd>${rr.terminal.serial}</dd>
<dt>${t('wo.purchaseDate')}</dt><dd>${rr.terminal.purchaseDate ?? ''}</dd>
<dt>${t('wo.part')}</dt><dd>${part}</dd>
<dt>${t('wo.symptoms')}</dt><dd>${localized(rr.symptoms, p.locale)}</dd>
<dt>${t('wo.stepsTried')}</dt><dd><ul>${rr.stepsTried.map((s) => html`<li><code>${s.action}</code> ${time.el(s.at)} ${s.ok ? t('common.yes') : t('common.no')}${s.detail ? html` <span class="note">${s.detail}</span>` : ''}</li>`)}</ul></dd>
<dt>${t('wo.hints')}</dt><dd>${rr.technicianHints.map((h) => localized(h, p.locale)).join('; ')}</dd>
<dt>${t('alarm.evidence')}</dt><dd>${time.el(rr.evidence.onset)}<ul>${rr.evidence.readings.map((r) => html`<li>${time.el(r.at)} <span class="note">${detailText(JSON.stringify(r.readings))}</span></li>`)}</ul></dd>
</dl>`;
}

async function forms(p: PageRequest, o: WorkOrderRecord): Promise<Html> {
  const { t } = p;
  if (!isOpenState(o.state)) return html`<p class="note">${t('wo.final')}</p>`;
  const moves = movesFrom(o);
  const action = (name: string) => `/workorders/${o.id}/${name}`;
  // Technicians first: the orders are theirs to work.
  const users = (await p.ctx.store.operators.users()).filter(assignable).sort((a, b) => Number(b.role === 'technician') - Number(a.role === 'technician'));
  const transition = moves.length
    ? html`<form method="post" action="${action('transition')}" aria-label="${t('wo.move')}" id="wo-transition">${csrfField(p.session.csrf)}
${commentBox(t, 'wo-transition-comment')}
${moves.includes('verified') && !hasProof(o) ? html`<label for="wo-override"><input type="checkbox" id="wo-override" name="override" value="true"> ${t('wo.override')}</label>` : ''}
<div class="inline">${moves.map((to) => (to === 'cancelled' ? html`<button type="submit" name="to" value="${to}" class="secondary">${t('wo.cancel')}</button>` : html`<button type="submit" name="to" value="${to}">${t(`woState.${to}`)}</button>`))}</div></form>`
    : html`<p class="note">${o.kind === 'lost' ? t('wo.lostCloses') : t('wo.final')}</p>`;
  return html`<div class="actions">
${transition}
${canWorkOrders(p.session.principal.role)
  ? html`<form method="post" action="${action('assign')}" aria-label="${t('action.assign')}">${csrfField(p.session.csrf)}
<label for="wo-assign-user">${t('action.assignTo')}<select id="wo-assign-user" name="user"><option value="">${t('common.none')}</option>${users.map((u) => html`<option value="${u.name}"${u.name === o.assignee ? html` selected` : ''}>${u.name} (${u.role})</option>`)}</select></label>
${commentBox(t, 'wo-assign-comment')}<button type="submit">${t('action.assign')}</button></form>`
  : ''}
<form method="post" action="${action('details')}" aria-label="${t('wo.details')}">${csrfField(p.session.csrf)}
<label for="wo-contact">${t('wo.contact')}<input id="wo-contact" name="contact" value="${o.contact ?? ''}" maxlength="1000"></label>
<label for="wo-address">${t('wo.address')}<input id="wo-address" name="address" value="${o.address ?? ''}" maxlength="1000"></label>
<label for="wo-notes">${t('wo.notes')}<textarea id="wo-notes" name="notes" rows="2" maxlength="4000">${o.notes ?? ''}</textarea></label>
${commentBox(t, 'wo-details-comment')}<button type="submit">${t('wo.saveDetails')}</button></form>
</div>`;
}
