import { DurationError, parseDuration } from 'posdiag-protocol';
import { auditRequest } from '../../http-api.js';
import { formatMatchers } from '../../notify/matchers.js';
import { EXPIRED_KEPT_MS } from '../../notify/silence-api.js';
import { checkSilence, SilenceError, silenceState } from '../../notify/silences.js';
import { roleAllows } from '../../operators/roles.js';
import type { PageRequest, PageResult } from '../context.js';
import { html } from '../html.js';
import { ConsoleError, redirect } from '../respond.js';
import { actionScope, csrfField } from './common.js';

/**
 * GET /silences: the notifier's silences (notify/silences.ts) with their state; POST /silences creates
 * one (matchers `label=value`, one a line; a duration; why), POST /silences/ID/expire ends one. They
 * mute notifications only: alarms are raised and shown as ever. Silences live in the notifier's memory
 * on this hub (as the dispatcher keeps them); without --notify there is nothing to mute.
 */
export async function silencesPage(p: PageRequest): Promise<PageResult> {
  const { t, time } = p;
  const now = p.ctx.clockNow();
  const list = (await p.ctx.store.silences.list(now - EXPIRED_KEPT_MS)).map((s) => ({ ...s, state: silenceState(s, now) })).reverse();
  const canAct = roleAllows(p.session.principal.role, 'operator');
  return {
    title: t('silences.title'),
    body: html`<h1>${t('silences.title')}</h1>
${canAct
  ? html`<form method="post" action="/silences" class="inline" aria-label="${t('silences.create')}">${csrfField(p.session.csrf)}
<label for="s-matchers">${t('silences.matchers')}<textarea id="s-matchers" name="matchers" rows="3" required placeholder="severity=critical&#10;region=north"></textarea></label>
<label for="s-duration">${t('silences.duration')}<input id="s-duration" name="duration" value="2h" required size="8"></label>
<label for="s-comment">${t('silences.why')}<input id="s-comment" name="comment" required size="32"></label>
<button type="submit">${t('silences.create')}</button></form>`
  : ''}
${list.length === 0
  ? html`<p class="note">${t('silences.empty')}</p>`
  : html`<table><thead><tr><th scope="col">#</th><th scope="col">${t('silences.matchers')}</th><th scope="col">${t('silences.state')}</th><th scope="col">${t('silences.by')}</th><th scope="col">${t('silences.why')}</th><th scope="col">${t('silences.ends')}</th><th scope="col"></th></tr></thead>
<tbody>${list.map(
      (s) => html`<tr><td>${s.id}</td><td><code>${formatMatchers(s.matchers)}</code></td><td data-state="${s.state}">${t(`silence.${s.state}`)}</td><td>${s.createdBy}</td><td>${s.comment}</td><td>${time.el(s.endsAt)}</td><td>${
        canAct && s.state !== 'expired'
          ? html`<form method="post" action="/silences/${encodeURIComponent(s.id)}/expire">${csrfField(p.session.csrf)}<button type="submit" class="secondary">${t('silences.expire')}</button></form>`
          : ''
      }</td></tr>`,
    )}</tbody></table>`}`,
  };
}

function parseMatchers(text: string): Record<string, string> {
  const matchers: Record<string, string> = {};
  for (const line of text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean)) {
    const m = /^([A-Za-z_][A-Za-z0-9_.-]{0,63})\s*=\s*"?([^"]{1,128})"?$/.exec(line);
    if (!m) throw new ConsoleError(400, `a matcher is label=value, not ${line.slice(0, 80)}`);
    matchers[m[1]!] = m[2]!;
  }
  return matchers;
}

export async function createSilence(p: PageRequest, form: URLSearchParams): Promise<null> {
  const scope = actionScope(p, 'silence.create');
  let durationMs: number;
  try {
    durationMs = parseDuration((form.get('duration') ?? '').trim());
  } catch (err) {
    if (err instanceof DurationError) throw new ConsoleError(400, err.message);
    throw err;
  }
  const now = p.ctx.clockNow();
  try {
    const input = { matchers: parseMatchers(form.get('matchers') ?? ''), startsAt: now, endsAt: now + durationMs, createdBy: p.session.principal.name, comment: (form.get('comment') ?? '').trim() };
    checkSilence(input);
    const made = await p.ctx.store.silences.add(input);
    await p.ctx.silencesChanged();
    await auditRequest(p.req, p.ctx, { ...scope, target: made.id, detail: `${formatMatchers(made.matchers)} until ${new Date(made.endsAt).toISOString()}` }, 200, undefined);
  } catch (err) {
    if (!(err instanceof SilenceError)) throw err;
    await auditRequest(p.req, p.ctx, scope, 400, err.message);
    throw new ConsoleError(400, err.message);
  }
  redirect(p.res, '/silences');
  return null;
}

export async function expireSilence(p: PageRequest, id: string): Promise<null> {
  const done = Boolean(await p.ctx.store.silences.expire(id, p.ctx.clockNow()));
  if (done) await p.ctx.silencesChanged();
  await auditRequest(p.req, p.ctx, actionScope(p, 'silence.expire', id), done ? 200 : 404, done ? undefined : `no silence ${id}`);
  if (!done) throw new ConsoleError(404, p.t('common.notFound'));
  redirect(p.res, '/silences');
  return null;
}
