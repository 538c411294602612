import { categorySchema, severitySchema } from 'posdiag-protocol';
import type { AlarmRecord } from '../../alarms/alarm.js';
import type { PageRequest, PageResult } from '../context.js';
import { html, type Html } from '../html.js';
import { severityBadge } from './common.js';

/**
 * GET /: the fleet at a glance. Terminals connected and silent; open alarms by severity and category;
 * the top fault codes and models of the alarms raised in the last 7 days; alarms raised per day over
 * 14 days as an inline SVG bar chart (no script, no image fetch). The counts of alarms come from at most
 * SAMPLE alarms (the newest); the page says so when it had to stop there.
 */
const SAMPLE = 2000;
const DAY_MS = 86_400_000;

function countBy<T>(items: T[], key: (item: T) => string | null | undefined): [string, number][] {
  const counts = new Map<string, number>();
  for (const item of items) {
    const k = key(item);
    if (k) counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

function table(caption: string, rows: [Html | string, number][]): Html {
  return html`<table><caption class="note">${caption}</caption><tbody>${rows.map(([k, n]) => html`<tr><th scope="row">${k}</th><td>${n}</td></tr>`)}</tbody></table>`;
}

/** One bar per day, the newest on the right; each bar has its count as a <title> for screen readers. */
function chart(p: PageRequest, perDay: { day: number; n: number }[]): Html {
  const max = Math.max(1, ...perDay.map((d) => d.n));
  const w = 24;
  const h = 80;
  return html`<svg class="chart" role="img" aria-label="${p.t('overview.chart')}" viewBox="0 0 ${perDay.length * w} ${h + 14}" width="${perDay.length * w}" height="${h + 14}">
${perDay.map((d, i) => {
  const bh = Math.round((d.n / max) * h);
  const label = p.time.text(d.day).slice(5, 10);
  return html`<g><title>${label}: ${d.n}</title><rect x="${i * w + 3}" y="${h - bh}" width="${w - 6}" height="${bh}"></rect><text x="${i * w + 2}" y="${h + 11}">${label}</text></g>`;
})}
</svg>`;
}

export async function overviewPage(p: PageRequest): Promise<PageResult> {
  const { t } = p;
  const now = p.ctx.clockNow();
  const [states, open, recent, inventory] = await Promise.all([
    p.ctx.presence.list(),
    p.ctx.store.alarms.list({ status: 'active', closed: false, limit: SAMPLE }),
    p.ctx.store.alarms.list({ sinceMs: now - 14 * DAY_MS, limit: SAMPLE }),
    p.ctx.store.inventory.all(),
  ]);
  const connected = states.filter((s) => s.connected).length;
  const silent = states.filter((s) => s.silent).length;
  const week = recent.filter((a) => a.since >= now - 7 * DAY_MS);
  const bySeverity = severitySchema.options.map((s): [Html, number] => [severityBadge(s), open.filter((a) => a.severity === s).length]);
  const byCategory = categorySchema.options.map((c): [string, number] => [c, open.filter((a) => a.category === c).length]);
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  const perDay = Array.from({ length: 14 }, (_, i) => {
    const day = today - (13 - i) * DAY_MS;
    return { day, n: recent.filter((a: AlarmRecord) => a.since >= day && a.since < day + DAY_MS).length };
  });
  const capped = open.length === SAMPLE || recent.length === SAMPLE;
  return {
    title: t('overview.title'),
    live: true,
    body: html`<h1>${t('overview.title')}</h1>
<div class="grid">
<section class="card"><h2>${t('overview.terminals')}</h2><p class="stat">${states.length}</p></section>
<section class="card"><h2>${t('overview.connected')}</h2><p class="stat ok">${connected}</p></section>
<section class="card"><h2>${t('overview.silent')}</h2><p class="stat ${silent ? 'bad' : ''}">${silent}</p></section>
</div>
<div class="grid">
<section>${table(t('overview.openBySeverity'), bySeverity)}</section>
<section>${table(t('overview.openByCategory'), byCategory)}</section>
<section>${table(t('overview.topCodes'), countBy(week, (a) => a.code).slice(0, 5))}</section>
<section>${table(t('overview.topModels'), countBy(week, (a) => inventory.get(a.terminal)?.model).slice(0, 5))}</section>
</div>
<h2>${t('overview.chart')}</h2>
${chart(p, perDay)}
${capped ? html`<p class="note">≤ ${SAMPLE}</p>` : ''}`,
  };
}
