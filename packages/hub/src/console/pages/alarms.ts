import { categorySchema, severitySchema } from 'posdiag-protocol';
import type { AlarmQuery, AlarmRecord } from '../../alarms/alarm.js';
import type { PageRequest, PageResult } from '../context.js';
import { html, type Html } from '../html.js';
import { ConsoleError } from '../respond.js';
import type { Translate } from '../i18n.js';
import type { TimeFormat } from '../format.js';
import { roleAllows } from '../../operators/roles.js';
import { alarmStatus, commentBox, csrfField, pager, select, severityBadge, terminalLink } from './common.js';

/**
 * GET /alarms: filters, one page (keyset: `after` = the last id shown), bulk actions. The first page's
 * rows refresh themselves on the hub's events (console.js → `posdiag:alarm`): a new alarm appears
 * without a reload. `?fragment=rows` answers the rows alone (what that refresh swaps in).
 */
export const ALARMS_PAGE = 50;

const FILTERS = ['status', 'ack', 'closed', 'severity', 'category', 'code', 'terminal'] as const;

export function alarmQuery(params: URLSearchParams): AlarmQuery {
  const get = (name: string) => params.get(name) || undefined;
  const q: AlarmQuery = { limit: ALARMS_PAGE };
  const status = get('status');
  if (status !== undefined) {
    if (status !== 'active' && status !== 'cleared') throw new ConsoleError(400, `status: active or cleared, not ${status}`);
    q.status = status;
  }
  const flag = (name: 'ack' | 'closed') => {
    const v = get(name);
    if (v === undefined || v === 'any') return undefined;
    if (v !== 'true' && v !== 'false') throw new ConsoleError(400, `${name}: true or false, not ${v}`);
    return v === 'true';
  };
  const ack = flag('ack');
  if (ack !== undefined) q.acknowledged = ack;
  // Closed alarms are history: hidden unless asked for.
  const closed = params.has('closed') ? flag('closed') : false;
  if (closed !== undefined) q.closed = closed;
  const severity = get('severity');
  if (severity !== undefined) q.severity = parse(severitySchema, severity, 'severity');
  const category = get('category');
  if (category !== undefined) q.category = parse(categorySchema, category, 'category');
  const code = get('code');
  if (code !== undefined) q.code = code.slice(0, 64);
  const terminal = get('terminal');
  if (terminal !== undefined) q.terminal = terminal.slice(0, 64);
  const after = get('after');
  if (after !== undefined) {
    if (!/^[1-9][0-9]{0,15}$/.test(after)) throw new ConsoleError(400, `after: an alarm id, not ${after}`);
    q.before = Number(after);
  }
  return q;
}

function parse<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }, value: string, name: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new ConsoleError(400, `${name}: not a ${name} (${value})`);
  return r.data;
}

export function alarmRow(t: Translate, time: TimeFormat, a: AlarmRecord, selectable: boolean): Html {
  return html`<tr data-alarm="${a.id}">
${selectable ? html`<td><input type="checkbox" name="id" value="${a.id}" id="pick-${a.id}" aria-label="${t('alarms.select')} ${a.id}"></td>` : ''}
<td><a href="/alarms/${a.id}">${a.id}</a></td>
<td>${severityBadge(t, a.severity)}</td>
<td>${terminalLink(a.terminal)}</td>
<td><code>${a.code}</code>${a.instance ? html` <span class="note">[${a.instance}]</span>` : ''}</td>
<td>${alarmStatus(t, a)}</td>
<td>${a.assignee ?? ''}</td>
<td>${time.el(a.since)}</td>
<td>${a.count}</td>
</tr>`;
}

function rows(p: PageRequest, alarms: AlarmRecord[], selectable: boolean): Html {
  if (alarms.length === 0) return html`<tr><td colspan="9">${p.t('alarms.empty')}</td></tr>`;
  return html`${alarms.map((a) => alarmRow(p.t, p.time, a, selectable))}`;
}

export async function alarmsPage(p: PageRequest): Promise<PageResult> {
  const { t } = p;
  const query = alarmQuery(p.url.searchParams);
  const alarms = await p.ctx.store.alarms.list(query);
  const canAct = roleAllows(p.session.principal.role, 'operator');
  if (p.url.searchParams.get('fragment') === 'rows') return { fragment: rows(p, alarms, canAct) };
  const params = p.url.searchParams;
  const filterQuery = new URLSearchParams();
  for (const f of FILTERS) if (params.get(f)) filterQuery.set(f, params.get(f)!);
  filterQuery.set('fragment', 'rows');
  const firstPage = !params.has('after');
  const next = alarms.length === ALARMS_PAGE ? String(alarms.at(-1)!.id) : null;
  const any: [string, string] = ['', t('common.any')];
  const filters = html`<form class="filters" method="get" action="/alarms" role="search">
${select('status', t('alarms.status'), [any, ['active', t('alarms.active')], ['cleared', t('alarms.cleared')]], params.get('status') ?? '')}
${select('ack', t('alarms.ack'), [any, ['true', t('common.yes')], ['false', t('common.no')]], params.get('ack') ?? '')}
${select('closed', t('alarms.closed'), [['false', t('common.no')], ['true', t('common.yes')], ['any', t('common.any')]], params.get('closed') ?? 'false')}
${select('severity', t('alarms.severity'), [any, ...severitySchema.options.map((s): [string, string] => [s, t(`severity.${s}`)])], params.get('severity') ?? '')}
${select('category', t('alarms.category'), [any, ...categorySchema.options.map((c): [string, string] => [c, t(`category.${c}`)])], params.get('category') ?? '')}
<label for="f-code">${t('alarms.code')}<input id="f-code" name="code" value="${params.get('code') ?? ''}" size="18"></label>
<label for="f-terminal">${t('alarms.terminal')}<input id="f-terminal" name="terminal" value="${params.get('terminal') ?? ''}" size="12"></label>
<button type="submit">${t('common.filter')}</button>
</form>`;
  // Only the first page refreshes itself: a later page is a fixed slice of history.
  const live = firstPage ? html` hx-get="/alarms?${filterQuery.toString()}" hx-trigger="posdiag:alarm from:body" hx-swap="innerHTML"` : html``;
  const table = html`<table aria-describedby="alarms-live">
<thead><tr>${canAct ? html`<th scope="col"><input type="checkbox" id="select-all" aria-label="${t('alarms.selectAll')}"></th>` : ''}<th scope="col">#</th><th scope="col">${t('alarms.severity')}</th><th scope="col">${t('alarms.terminal')}</th><th scope="col">${t('alarms.code')}</th><th scope="col">${t('alarms.status')}</th><th scope="col">${t('alarms.assignee')}</th><th scope="col">${t('alarms.since')}</th><th scope="col">${t('alarms.count')}</th></tr></thead>
<tbody id="alarm-rows" aria-live="polite"${live}>${rows(p, alarms, canAct)}</tbody>
</table>`;
  const bulk = canAct
    ? html`<form method="post" action="/alarms/bulk" id="bulk">
${csrfField(p.session.csrf)}
${table}
<div class="inline">
${select('action', t('alarm.actions'), [['ack', t('action.ack')], ['unack', t('action.unack')], ['close', t('action.close')]], 'ack', 'bulk-action')}
${commentBox(t, 'bulk-comment')}
<button type="submit">${t('alarms.bulkAck')}</button>
</div>
</form>`
    : table;
  return {
    title: t('alarms.title'),
    live: firstPage,
    body: html`<h1>${t('alarms.title')}</h1>
${filters}
<p class="note" id="alarms-live">${firstPage ? t('common.live') : ''}</p>
${bulk}
${pager(t, '/alarms', params, next)}`,
  };
}
