import { terminalsWithAlarms } from '../../alarms/alarm-api.js';
import { withInventory } from '../../terminal-inventory.js';
import type { PageRequest, PageResult } from '../context.js';
import { html, type Html } from '../html.js';
import { pager, terminalLink } from './common.js';

/**
 * GET /terminals?q=TEXT&after=ID: every terminal the hub knows, by id, 50 a page (keyset: ids after
 * `after`). `q` matches, ignoring case, a part of the id, the serial, the model or any label's value (the
 * merchant is a label). The first page's rows refresh when a terminal falls silent or comes back.
 */
export const TERMINALS_PAGE = 50;

type Row = Awaited<ReturnType<typeof terminalsWithAlarms>>[number] & { inventory: ReturnType<typeof withInventory>[number]['inventory'] };

export async function terminalRows(p: Pick<PageRequest, 'ctx'>, q: string, after: string | null): Promise<{ rows: Row[]; next: string | null }> {
  const [states, inventory] = await Promise.all([p.ctx.presence.list(), p.ctx.store.inventory.all()]);
  const needle = q.trim().toLowerCase();
  // Sorted by id already (presence.list): the page is the first TERMINALS_PAGE after `after` that match.
  const from = after === null ? 0 : lowerBound(states, after);
  const matched: typeof states = [];
  const labels = needle ? await p.ctx.store.alarms.labels() : undefined;
  for (let i = from; i < states.length && matched.length <= TERMINALS_PAGE; i++) {
    const s = states[i]!;
    if (needle && !matches(needle, s.id, inventory.get(s.id), labels!.get(s.id))) continue;
    matched.push(s);
  }
  const page = matched.slice(0, TERMINALS_PAGE);
  const rows = withInventory(await terminalsWithAlarms(p.ctx, page), inventory, {}) as Row[];
  return { rows, next: matched.length > TERMINALS_PAGE ? page.at(-1)!.id : null };
}

/** The first index whose id sorts after `after`. */
function lowerBound(states: { id: string }[], after: string): number {
  let lo = 0;
  let hi = states.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (states[mid]!.id <= after) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function matches(needle: string, id: string, inv: { model: string | null; serial: string | null } | undefined, labels: Record<string, string> | undefined): boolean {
  const hay = [id, inv?.serial, inv?.model, ...Object.values(labels ?? {})];
  return hay.some((v) => v?.toLowerCase().includes(needle));
}

function row(p: PageRequest, r: Row): Html {
  const { t, time } = p;
  const state = r.connected ? t('terminals.connected') : r.silent ? t('terminals.silent') : t('terminals.offline');
  return html`<tr><td>${terminalLink(r.id)}</td><td class="${r.connected ? 'ok' : r.silent ? 'bad' : ''}">${state}</td><td>${time.el(r.lastHeard)}</td>
<td>${r.inventory?.model ?? ''}</td><td>${r.inventory?.serial ?? ''}</td><td>${Object.entries(r.labels).map(([k, v]) => html`<code>${k}=${v}</code> `)}</td><td>${r.openAlarms || ''}</td></tr>`;
}

export async function terminalsPage(p: PageRequest): Promise<PageResult> {
  const { t } = p;
  const params = p.url.searchParams;
  const q = (params.get('q') ?? '').slice(0, 128);
  const after = params.get('after');
  const { rows, next } = await terminalRows(p, q, after);
  const body = rows.length ? html`${rows.map((r) => row(p, r))}` : html`<tr><td colspan="7">${t('terminals.empty')}</td></tr>`;
  if (params.get('fragment') === 'rows') return { fragment: body };
  const refresh = new URLSearchParams(q ? { q, fragment: 'rows' } : { fragment: 'rows' });
  return {
    title: t('terminals.title'),
    live: after === null,
    body: html`<h1>${t('terminals.title')}</h1>
<form class="filters" method="get" action="/terminals" role="search">
<label for="t-q">${t('terminals.search')}<input id="t-q" name="q" type="search" value="${q}" size="32"></label>
<button type="submit">${t('common.filter')}</button>
</form>
<table><thead><tr><th scope="col">${t('alarms.terminal')}</th><th scope="col">${t('terminals.state')}</th><th scope="col">${t('terminals.lastHeard')}</th><th scope="col">${t('terminals.model')}</th><th scope="col">${t('terminals.serial')}</th><th scope="col">${t('terminals.labels')}</th><th scope="col">${t('terminals.openAlarms')}</th></tr></thead>
<tbody id="terminal-rows"${after === null ? html` hx-get="/terminals?${refresh.toString()}" hx-trigger="posdiag:presence from:body" hx-swap="innerHTML"` : ''}>${body}</tbody></table>
${pager(t, '/terminals', params, next)}`,
  };
}
