import type { PageRequest, PageResult } from '../context.js';
import { html } from '../html.js';
import { terminalLink } from './common.js';

/** GET /spares: the spare pool (units taken out of a slot by a swap), by serial: state, slot, order, since when. */
export async function sparesPage(p: PageRequest): Promise<PageResult> {
  const { t, time } = p;
  const spares = await p.ctx.store.workorders.spares();
  return {
    title: t('spares.title'),
    body: html`<h1>${t('spares.title')}</h1>
${spares.length === 0
  ? html`<p class="note">${t('spares.empty')}</p>`
  : html`<table id="spares"><thead><tr><th scope="col">${t('terminals.serial')}</th><th scope="col">${t('wo.state')}</th><th scope="col">${t('wo.slot')}</th><th scope="col">${t('wo.order')}</th><th scope="col">${t('alarms.since')}</th></tr></thead>
<tbody>${spares.map((s) => html`<tr data-serial="${s.serial}"><td><code>${s.serial}</code></td><td data-state="${s.state}">${t(`spare.${s.state}`)}</td><td>${terminalLink(s.terminal)}</td><td><a href="/workorders/${s.orderId}">#${s.orderId}</a></td><td>${time.el(s.since)}</td></tr>`)}</tbody></table>`}`,
  };
}
