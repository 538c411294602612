import type { PageRequest, PageResult } from '../context.js';
import { html } from '../html.js';
import { ConsoleError } from '../respond.js';
import { pager } from './common.js';

/** GET /audit?user=&action=&after=ID (admins): the audit log newest first, 50 a page (keyset on the id). */
const AUDIT_PAGE = 50;

export async function auditPage(p: PageRequest): Promise<PageResult> {
  const { t, time } = p;
  const params = p.url.searchParams;
  const after = params.get('after');
  if (after !== null && !/^[1-9][0-9]{0,15}$/.test(after)) throw new ConsoleError(400, `after: an entry id, not ${after}`);
  const user = params.get('user') || undefined;
  const action = params.get('action') || undefined;
  const { entries, next } = await p.ctx.operators.audit.page({
    limit: AUDIT_PAGE,
    ...(user ? { principal: user } : {}),
    ...(action ? { action } : {}),
    ...(after ? { before: Number(after) } : {}),
  });
  return {
    title: t('audit.title'),
    body: html`<h1>${t('audit.title')}</h1>
<form class="filters" method="get" action="/audit" role="search">
<label for="a-user">${t('audit.principal')}<input id="a-user" name="user" value="${user ?? ''}"></label>
<label for="a-action">${t('audit.action')}<input id="a-action" name="action" value="${action ?? ''}"></label>
<button type="submit">${t('common.filter')}</button></form>
<table><thead><tr><th scope="col">${t('common.time')}</th><th scope="col">${t('audit.principal')}</th><th scope="col">${t('audit.action')}</th><th scope="col">${t('audit.target')}</th><th scope="col">${t('audit.remote')}</th><th scope="col">${t('audit.outcome')}</th><th scope="col">${t('audit.detail')}</th></tr></thead>
<tbody>${entries.map(
      (e) => html`<tr><td>${time.el(e.at)}</td><td>${e.principal}</td><td><code>${e.action}</code></td><td>${e.target ?? ''}</td><td>${e.remote ?? ''}</td><td class="${e.outcome === 'ok' ? 'ok' : 'bad'}">${t(`outcome.${e.outcome}`)}</td><td>${e.detail ?? ''}</td></tr>`,
    )}</tbody></table>
${pager(t, '/audit', params, next === null ? null : String(next))}`,
  };
}
