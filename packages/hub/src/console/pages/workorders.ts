import type { Severity } from 'posdiag-protocol';
import { HttpError, parseWith } from '../../http-api.js';
import { WORK_ORDER_STATES, type WorkOrderRecord } from '../../workorders/work-order.js';
import { findOrders, listQuery, MAX_CSV, sendWorkOrdersCsv } from '../../workorders/workorder-api.js';
import type { PageRequest, PageResult } from '../context.js';
import { html } from '../html.js';
import { ConsoleError } from '../respond.js';
import { pager, select, severityBadge, terminalLink } from './common.js';
import { orderLink, slaCell, stateBadge } from './workorder-parts.js';

/**
 * GET /workorders: the orders newest first, 50 a page (keyset: `after` = the last id shown), filtered
 * as the API's list is (state, kind, terminal); `ref=` finds one order by the reference a merchant
 * reads from the self-test receipt (`WO-` may be left out, any case). GET /workorders.csv: the same
 * filters as the API's CSV export, behind the session.
 */
export const WORK_ORDERS_PAGE = 50;
const FILTERS = ['state', 'kind', 'terminal', 'after', 'ref'] as const;

function filters(params: URLSearchParams) {
  const given: Record<string, string> = {};
  for (const f of FILTERS) if (params.get(f)) given[f] = params.get(f)!;
  try {
    return parseWith(listQuery, given, 'query');
  } catch (err) {
    throw err instanceof HttpError ? new ConsoleError(400, err.message) : err;
  }
}

const orders = (p: PageRequest, limit: number): Promise<WorkOrderRecord[]> => findOrders(p.ctx.store.workorders, filters(p.url.searchParams), limit);

export async function workOrdersCsvDownload(p: PageRequest): Promise<void> {
  sendWorkOrdersCsv(p.res, await orders(p, MAX_CSV));
}

export async function workOrdersPage(p: PageRequest): Promise<PageResult> {
  const { t, time } = p;
  const list = await orders(p, WORK_ORDERS_PAGE);
  const params = p.url.searchParams;
  const next = !params.get('ref') && list.length === WORK_ORDERS_PAGE ? String(list.at(-1)!.id) : null;
  const any: [string, string] = ['', t('common.any')];
  const csv = new URLSearchParams(params);
  csv.delete('after');
  return {
    title: t('wo.title'),
    body: html`<h1>${t('wo.title')}</h1>
<form class="filters" method="get" action="/workorders" role="search">
<label for="f-ref">${t('wo.ref')}<input id="f-ref" name="ref" value="${params.get('ref') ?? ''}" size="10" placeholder="WO-…"></label>
${select('state', t('wo.state'), [any, ...WORK_ORDER_STATES.map((s): [string, string] => [s, t(`woState.${s}`)])], params.get('state') ?? '')}
${select('kind', t('wo.kind'), [any, ['repair', t('woKind.repair')], ['lost', t('woKind.lost')]], params.get('kind') ?? '')}
<label for="f-terminal">${t('alarms.terminal')}<input id="f-terminal" name="terminal" value="${params.get('terminal') ?? ''}" size="12"></label>
<button type="submit">${t('common.filter')}</button>
</form>
<p><a href="/workorders.csv${csv.size ? `?${csv}` : ''}" download>${t('wo.csv')}</a> · <a href="/spares">${t('spares.title')}</a></p>
<table id="workorders">
<thead><tr><th scope="col">${t('wo.ref')}</th><th scope="col">${t('alarms.terminal')}</th><th scope="col">${t('wo.kind')}</th><th scope="col">${t('wo.state')}</th><th scope="col">${t('alarms.code')}</th><th scope="col">${t('alarms.severity')}</th><th scope="col">${t('alarms.assignee')}</th><th scope="col">${t('wo.sla')}</th><th scope="col">${t('wo.openedAt')}</th></tr></thead>
<tbody>${list.length === 0
      ? html`<tr><td colspan="9">${t('wo.empty')}</td></tr>`
      : list.map(
          (o) => html`<tr data-order="${o.id}"><td>${orderLink(o)}</td><td>${terminalLink(o.terminal)}</td><td>${t(`woKind.${o.kind}`)}</td><td>${stateBadge(t, o)}</td><td><code>${o.code}</code></td><td>${severityBadge(t, o.severity as Severity)}</td><td>${o.assignee ?? ''}</td><td>${slaCell(t, time, o)}</td><td>${time.el(o.openedAt)}</td></tr>`,
        )}</tbody>
</table>
${pager(t, '/workorders', params, next)}`,
  };
}
