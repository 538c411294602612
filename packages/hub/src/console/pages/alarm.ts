import { severitySchema, type Report } from 'posdiag-protocol';
import type { AlarmLogEntry, AlarmRecord } from '../../alarms/alarm.js';
import { alarmKey } from '../../notify/feed.js';
import { roleAllows } from '../../operators/roles.js';
import type { BundleInfo, DeliveryRecord } from '../../store/store.js';
import type { PageRequest, PageResult } from '../context.js';
import { localized } from '../format.js';
import { html, type Html } from '../html.js';
import { ConsoleError } from '../respond.js';
import { alarmStatus, commentBox, csrfField, severityBadge, terminalLink } from './common.js';
import { selfTestVerdict } from './self-test.js';
import { alarmWorkOrder } from './workorder-parts.js';

/**
 * GET /alarms/ID: what the alarm is, its timeline and comments, who was notified and how that went,
 * the evidence (the raising report's readings and repair request, the terminal's latest self-test,
 * its bundles), and a form per action, each with its comment box. The live part refreshes on the
 * hub's events and every few seconds (a delivery settles without an alarm event);
 * `?fragment=live` answers it alone.
 */
export async function alarmPage(p: PageRequest, id: number): Promise<PageResult> {
  const alarm = await p.ctx.store.alarms.alarm(id);
  if (!alarm) throw new ConsoleError(404, p.t('common.notFound'));
  const live = await liveSection(p, alarm);
  if (p.url.searchParams.get('fragment') === 'live') return { fragment: live };
  const [report, selfTest, bundles, workOrder] = await Promise.all([
    alarm.reportId === null ? undefined : p.ctx.store.alarms.report(alarm.reportId),
    p.ctx.store.alarms.latestSelfTest(alarm.terminal),
    p.ctx.store.listBundles(alarm.terminal),
    alarmWorkOrder(p, alarm),
  ]);
  const { t } = p;
  return {
    title: t('alarm.title', { id }),
    live: true,
    body: html`<h1>${t('alarm.title', { id })}: <code>${alarm.code}</code> ${severityBadge(t, alarm.severity)}</h1>
<div id="alarm-live" hx-get="/alarms/${id}?fragment=live" hx-trigger="posdiag:alarm from:body, every 5s" hx-swap="innerHTML">${live}</div>
<h2>${t('alarm.actions')}</h2>
${actions(p, alarm)}
<h2>${t('wo.title')}</h2>
${workOrder}
<h2>${t('alarm.evidence')}</h2>
${evidence(p, report, selfTest, bundles)}`,
  };
}

async function liveSection(p: PageRequest, alarm: AlarmRecord): Promise<Html> {
  const { t, time } = p;
  const [log, deliveries] = await Promise.all([p.ctx.store.alarms.log(alarm.id), p.ctx.deliveriesFor(alarmKey(alarm))]);
  const history = log.filter((e) => e.kind === 'history');
  const comments = log.filter((e) => e.kind === 'comment');
  return html`<dl class="facts">
<dt>${t('alarms.terminal')}</dt><dd>${terminalLink(alarm.terminal)}</dd>
<dt>${t('alarms.code')}</dt><dd><code>${alarm.code}</code>${alarm.instance ? ` [${alarm.instance}]` : ''} · ${t(`category.${alarm.category}`)}</dd>
<dt>${t('alarms.status')}</dt><dd data-status>${alarmStatus(t, alarm)}</dd>
<dt>${t('alarms.assignee')}</dt><dd>${alarm.assignee ?? t('common.none')}</dd>
<dt>${t('alarms.since')}</dt><dd>${time.el(alarm.since)}</dd>
<dt>${t('alarms.count')}</dt><dd>${alarm.count}</dd>
</dl>
<div class="grid">
<section aria-labelledby="h-timeline"><h2 id="h-timeline">${t('alarm.timeline')}</h2>
<ol class="timeline">${history.map((e) => html`<li>${time.el(e.at)} <strong>${e.action}</strong> · ${e.actor} <span class="note">${changeText(e)}</span></li>`)}</ol></section>
<section aria-labelledby="h-comments"><h2 id="h-comments">${t('alarm.comments')}</h2>
<ol class="timeline" id="comments">${comments.map((e) => html`<li${e.action === 'system' ? html` class="note"` : ''}>${time.el(e.at)} <strong>${e.actor}</strong>: <span class="comment-text">${e.detail}</span></li>`)}</ol></section>
</div>
<section aria-labelledby="h-deliveries"><h2 id="h-deliveries">${t('alarm.deliveries')}</h2>${deliveryTable(p, deliveries)}</section>`;
}

function changeText(e: AlarmLogEntry): string {
  try {
    const change = JSON.parse(e.detail) as Record<string, unknown>;
    return Object.entries(change)
      .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(', ');
  } catch {
    return e.detail;
  }
}

function deliveryTable(p: PageRequest, deliveries: DeliveryRecord[]): Html {
  const { t, time } = p;
  if (deliveries.length === 0) return html`<p class="note">${t('alarm.noDeliveries')}</p>`;
  return html`<table id="deliveries"><thead><tr><th scope="col">${t('alarm.receiver')}</th><th scope="col">${t('alarm.state')}</th><th scope="col">${t('common.time')}</th><th scope="col">${t('alarm.attempts')}</th></tr></thead>
<tbody>${deliveries.map(
    (d) => html`<tr><td>${d.receiver}</td><td class="${d.state === 'delivered' ? 'ok' : d.state === 'failed' ? 'bad' : ''}" data-state="${d.state}">${t(`delivery.${d.state}`)}</td><td>${time.el(d.createdAt)}</td>
<td>${d.attempts.map((a) => html`<div>${time.el(a.at)} ${a.outcome} <span class="note">${a.detail}</span></div>`)}</td></tr>`,
  )}</tbody></table>`;
}

function actions(p: PageRequest, alarm: AlarmRecord): Html {
  const { t } = p;
  if (!roleAllows(p.session.principal.role, 'operator')) return html`<p class="note">${t('common.forbidden', { role: p.session.principal.role })}</p>`;
  const form = (action: string, label: string, fields: Html = html``, commentRequired = false) =>
    html`<form method="post" action="/alarms/${alarm.id}/${action}" aria-label="${label}">${csrfField(p.session.csrf)}${fields}${commentBox(t, `c-${action}`, commentRequired)}<button type="submit">${label}</button></form>`;
  const closed = alarm.closedAt !== null;
  return html`<div class="actions">
${closed ? '' : alarm.acknowledged ? form('unack', t('action.unack')) : form('ack', t('action.ack'))}
${form('comment', t('action.comment'), html``, true)}
${closed ? '' : form('assign', t('action.assign'), html`<label for="assign-user">${t('action.assignTo')}<input id="assign-user" name="user" value="${alarm.assignee ?? ''}" maxlength="128"></label>`)}
${closed ? '' : form('severity', t('action.severity'), html`<label for="severity-value">${t('alarms.severity')}<select id="severity-value" name="severity">${severitySchema.options.map((s) => html`<option value="${s}"${s === alarm.severity ? html` selected` : ''}>${t(`severity.${s}`)}</option>`)}</select></label>`)}
${closed ? '' : form('close', t('action.close'))}
</div>`;
}

function evidence(p: PageRequest, report: (Report & { receivedAt: string }) | undefined, selfTest: (Report & { receivedAt: string }) | undefined, bundles: BundleInfo[]): Html {
  const { t, time } = p;
  const fault = report?.kind === 'fault' ? report : undefined;
  return html`<div class="grid">
${fault
  ? html`<section class="card"><h3>${t('alarm.summary')}</h3><p>${localized(fault.summary, p.locale)}</p>
<h3>${t('alarm.readings')}</h3><dl class="facts">${Object.entries(fault.evidence).map(([k, v]) => html`<dt>${k}</dt><dd>${typeof v === 'string' ? v : JSON.stringify(v)}</dd>`)}</dl>
${fault.repairRequest ? html`<h3>${t('alarm.repairRequest')}</h3><pre>${JSON.stringify(fault.repairRequest, null, 2)}</pre>` : ''}</section>`
  : ''}
<section class="card"><h3>${t('alarm.selfTest')}</h3>${selfTest?.kind === 'self_test' ? selfTestVerdict(p, selfTest) : html`<p class="note">${t('common.none')}</p>`}</section>
<section class="card"><h3>${t('alarm.bundles')}</h3>${bundles.length ? html`<ul>${bundles.map((b) => html`<li>${time.el(b.receivedAt)} <a href="/bundles/${encodeURIComponent(b.id)}">${t('terminal.download')}</a> <span class="note">${b.size} B</span></li>`)}</ul>` : html`<p class="note">${t('common.none')}</p>`}</section>
</div>`;
}
