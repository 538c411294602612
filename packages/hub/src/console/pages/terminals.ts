import type { TerminalState } from '../../fleet/terminal-presence.js';
import type { TerminalCard } from '../../store/store.js';
import type { TokenMap } from '../../tokens.js';
import type { PageRequest, PageResult } from '../context.js';
import { html, type Html } from '../html.js';
import { pager, terminalLink } from './common.js';

/**
 * GET /terminals?q=TEXT&after=ID: every terminal the hub knows, by id, 50 a page (keyset: ids after
 * `after`). `q` matches, ignoring case, a part of the id, the serial, the model or any label's value (the
 * merchant is a label). The first page's rows refresh when a terminal falls silent or comes back.
 * Terminals' ids sort as JavaScript strings (code units), the stores' `terminal > after` as their
 * collation: both are bytewise for the ASCII ids terminals have.
 */
export const TERMINALS_PAGE = 50;

type Row = TerminalState & TerminalCard;

/** Every terminal the hub knows (its tokens), sorted once per tokens map (a reload makes a new map). */
const sortedIds = new WeakMap<object, string[]>();
function knownTerminals(tokens: TokenMap): string[] {
  let ids = sortedIds.get(tokens);
  if (!ids) sortedIds.set(tokens, (ids = Object.keys(tokens).sort()));
  return ids;
}

/**
 * One page of terminals: ids after `after`, those matching `q` when given, then only those terminals'
 * presence, inventory, labels and open alarms are read (the store's `cards`): a page costs the same
 * with ten terminals or a hundred thousand. A match is on the id (here, over the known ids) or on the
 * serial, model or a label value (the store's `search`); the two are merged in id order.
 */
export async function terminalRows(p: Pick<PageRequest, 'ctx'>, q: string, after: string | null): Promise<{ rows: Row[]; next: string | null }> {
  const { tokens } = p.ctx;
  const ids = knownTerminals(tokens);
  const needle = q.trim().toLowerCase();
  const from = after === null ? 0 : lowerBound(ids, after);
  let candidates: string[];
  if (!needle) candidates = ids.slice(from, from + TERMINALS_PAGE + 1);
  else {
    const byId: string[] = [];
    for (let i = from; i < ids.length && byId.length <= TERMINALS_PAGE; i++) if (ids[i]!.toLowerCase().includes(needle)) byId.push(ids[i]!);
    const byFacts = (await p.ctx.store.inventory.search(needle, after, TERMINALS_PAGE + 1)).filter((id) => Object.hasOwn(tokens, id));
    candidates = [...new Set([...byId, ...byFacts])].sort().slice(0, TERMINALS_PAGE + 1);
  }
  const page = candidates.slice(0, TERMINALS_PAGE);
  const [states, cards] = await Promise.all([p.ctx.presence.states(page), p.ctx.store.inventory.cards(page)]);
  const rows = states.map((s) => ({ ...s, ...(cards.get(s.id) ?? { inventory: null, labels: {}, openAlarms: 0 }) }));
  return { rows, next: candidates.length > TERMINALS_PAGE ? page.at(-1)! : null };
}

/** The first index whose id sorts after `after`. */
function lowerBound(ids: readonly string[], after: string): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ids[mid]! <= after) lo = mid + 1;
    else hi = mid;
  }
  return lo;
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
