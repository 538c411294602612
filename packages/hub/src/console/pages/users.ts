import type { PageRequest, PageResult } from '../context.js';
import { html } from '../html.js';

/** GET /users (admins): every operator, role, whether disabled, live tokens. Changes stay with `posdiag hub user`. */
export async function usersPage(p: PageRequest): Promise<PageResult> {
  const { t, time } = p;
  const users = await p.ctx.operators.users.list();
  return {
    title: t('users.title'),
    body: html`<h1>${t('users.title')}</h1>
<p class="note"><code>posdiag hub user add|disable|token NAME --db DB</code></p>
<table><thead><tr><th scope="col">${t('users.name')}</th><th scope="col">${t('users.role')}</th><th scope="col">${t('users.disabled')}</th><th scope="col">${t('users.created')}</th><th scope="col">${t('users.tokens')}</th></tr></thead>
<tbody>${users.map(
      (u) => html`<tr><td>${u.name}</td><td>${u.role}</td><td>${u.disabled ? t('common.yes') : t('common.no')}</td><td>${time.el(u.createdAt)}</td><td>${u.tokens
        .filter((k) => k.revokedAt === null)
        .map((k) => html`<code>${k.id}</code> ${k.name} `)}</td></tr>`,
    )}</tbody></table>`,
  };
}
