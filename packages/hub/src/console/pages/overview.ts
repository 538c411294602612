import { categorySchema, severitySchema } from 'posdiag-protocol';
import type { PageRequest, PageResult } from '../context.js';
import { html, type Html } from '../html.js';
import { severityBadge } from './common.js';

/**
 * GET /: the fleet at a glance. Terminals known (the tokens), connected and silent
 * (store.presenceCounts); open alarms by severity and category; the top fault codes and models of the
 * alarms whose onset is in the last 7 days; alarms per UTC day over 14 days as an inline SVG bar chart
 * (no script, no image fetch). A handful of aggregate queries (store.alarms.stats), whatever the size
 * of the fleet.
 */
const DAY_MS = 86_400_000;
const DAYS = 14;
const TOP = 5;

function table(caption: string, rows: [Html | string, number][]): Html {
  return html`<table><caption class="note">${caption}</caption><tbody>${rows.map(([k, n]) => html`<tr><th scope="row">${k}</th><td>${n}</td></tr>`)}</tbody></table>`;
}

/** One bar per UTC day, the newest on the right; each bar has its date and count as a <title> for screen readers. */
function chart(p: PageRequest, perDay: { day: number; n: number }[]): Html {
  const max = Math.max(1, ...perDay.map((d) => d.n));
  const w = 40;
  const h = 80;
  return html`<svg class="chart" role="img" aria-label="${p.t('overview.chart')}" viewBox="0 0 ${perDay.length * w} ${h + 14}" width="${perDay.length * w}" height="${h + 14}">
${perDay.map((d, i) => {
  const bh = Math.round((d.n / max) * h);
  const label = new Date(d.day).toISOString().slice(5, 10);
  return html`<g><title>${label}: ${d.n}</title><rect x="${i * w + 4}" y="${h - bh}" width="${w - 8}" height="${bh}"></rect><text x="${i * w + 6}" y="${h + 11}">${label}</text></g>`;
})}
</svg>`;
}

export async function overviewPage(p: PageRequest): Promise<PageResult> {
  const { t } = p;
  const now = p.ctx.clockNow();
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  const since = today - (DAYS - 1) * DAY_MS;
  const [presence, stats] = await Promise.all([p.ctx.store.presenceCounts(now), p.ctx.store.alarms.stats({ sinceMs: since, weekMs: now - 7 * DAY_MS, top: TOP })]);
  const counted = new Map(stats.perDay.map((d) => [d.day, d.count]));
  const perDay = Array.from({ length: DAYS }, (_, i) => ({ day: since + i * DAY_MS, n: counted.get(since + i * DAY_MS) ?? 0 }));
  const figures = html`<div class="grid">
<section class="card"><h2>${t('overview.terminals')}</h2><p class="stat">${Object.keys(p.ctx.tokens).length}</p></section>
<section class="card"><h2>${t('overview.connected')}</h2><p class="stat ok">${presence.connected}</p></section>
<section class="card"><h2>${t('overview.silent')}</h2><p class="stat ${presence.silent ? 'bad' : ''}">${presence.silent}</p></section>
</div>
<div class="grid">
<section>${table(t('overview.openBySeverity'), severitySchema.options.map((s): [Html, number] => [severityBadge(t, s), stats.openBySeverity[s] ?? 0]))}</section>
<section>${table(t('overview.openByCategory'), categorySchema.options.map((c): [string, number] => [t(`category.${c}`), stats.openByCategory[c] ?? 0]))}</section>
<section>${table(t('overview.topCodes'), stats.topCodes.map((c): [Html, number] => [html`<a href="/alarms?code=${encodeURIComponent(c.code)}&amp;closed=any"><code>${c.code}</code></a>`, c.count]))}</section>
<section>${table(t('overview.topModels'), stats.topModels.map((m): [string, number] => [m.model, m.count]))}</section>
</div>
<h2>${t('overview.chart')}</h2>
${chart(p, perDay)}`;
  if (p.url.searchParams.get('fragment') === 'figures') return { fragment: figures };
  return {
    title: t('overview.title'),
    live: true,
    // The figures refresh themselves on the hub's events.
    body: html`<h1>${t('overview.title')}</h1>
<div id="overview" hx-get="/?fragment=figures" hx-trigger="posdiag:alarm from:body, posdiag:presence from:body" hx-swap="innerHTML">${figures}</div>`,
  };
}
