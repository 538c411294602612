import { randomUUID } from 'node:crypto';
import { hubMessage, type SelfTestReport } from 'posdiag-protocol';
import { SILENT_CODE } from '../../alarms/alarm.js';
import type { CommandMessage } from '../../fleet/commands.js';
import { auditRequest } from '../../http-api.js';
import { roleAllows } from '../../operators/roles.js';
import { decodeReportCursor, encodeReportCursor } from '../../report-cursor.js';
import type { CommandRecord } from '../../store/store.js';
import type { PageRequest, PageResult } from '../context.js';
import { localized } from '../format.js';
import { html, type Html } from '../html.js';
import { ConsoleError, redirect } from '../respond.js';
import { actionScope, alarmStatus, csrfField, pager, severityBadge } from './common.js';
import { selfTestVerdict } from './self-test.js';
import { terminalWorkOrders } from './workorder-parts.js';

/**
 * GET /terminals/ID: identity and labels, connection (and its history: the terminal's silences),
 * latest readings (its latest self-test's), open alarms, the report timeline newest first (keyset:
 * `after`), self-tests, bundles, and buttons to run a self-test or fetch a bundle. The command's box
 * (GET /terminals/ID/commands/CID) polls until its outcome is in: the verdict, or the bundle's link.
 */
const REPORTS_PAGE = 20;
const POLL = 'load delay:1s';

export async function terminalPage(p: PageRequest, id: string): Promise<PageResult> {
  if (!Object.hasOwn(p.ctx.tokens, id)) throw new ConsoleError(404, p.t('common.notFound'));
  const { t, time } = p;
  const after = p.url.searchParams.get('after');
  const before = after ? decodeReportCursor(after) : undefined;
  if (after && !before) throw new ConsoleError(400, 'after: not a page token of this console');
  const [[state], presence, cards, open, silences, reports, selfTests, bundles, workOrders] = await Promise.all([
    p.ctx.presence.states([id]),
    p.ctx.store.presence(id),
    p.ctx.store.inventory.cards([id]),
    p.ctx.store.alarms.list({ terminal: id, closed: false, limit: 20 }),
    p.ctx.store.alarms.list({ terminal: id, code: SILENT_CODE, limit: 10 }),
    p.ctx.store.recentReports(id, { limit: REPORTS_PAGE, ...(before ? { before } : {}) }),
    p.ctx.store.recentReports(id, { kind: 'self_test', limit: 5 }),
    p.ctx.store.listBundles(id),
    terminalWorkOrders(p, id),
  ]);
  const inv = cards.get(id)?.inventory;
  const latest = selfTests.reports[0] as (SelfTestReport & { receivedAt: string }) | undefined;
  const command = p.url.searchParams.get('command');
  const canAct = roleAllows(p.session.principal.role, 'operator');
  const stateText = state?.connected ? t('terminals.connected') : state?.silent ? t('terminals.silent') : t('terminals.offline');
  return {
    title: t('terminal.title', { id }),
    live: true,
    body: html`<h1>${t('terminal.title', { id })}</h1>
<div class="grid">
<section class="card" aria-labelledby="h-identity"><h2 id="h-identity">${t('terminal.identity')}</h2><dl class="facts">
<dt>${t('terminals.model')}</dt><dd>${inv?.model ?? ''}</dd>
<dt>${t('terminals.serial')}</dt><dd>${inv?.serial ?? ''}</dd>
<dt>${t('terminal.firmware')}</dt><dd>${inv?.firmware ?? ''}</dd>
<dt>${t('terminal.agentVersion')}</dt><dd>${inv?.agentVersion ?? ''}</dd>
<dt>${t('terminals.labels')}</dt><dd>${Object.entries(cards.get(id)?.labels ?? {}).map(([k, v]) => html`<code>${k}=${v}</code> `)}</dd>
</dl></section>
<section class="card" aria-labelledby="h-connection"><h2 id="h-connection">${t('terminal.connection')}</h2><dl class="facts">
<dt>${t('terminals.state')}</dt><dd class="${state?.connected ? 'ok' : state?.silent ? 'bad' : ''}">${stateText}</dd>
<dt>${t('terminals.lastHeard')}</dt><dd>${time.el(state?.lastHeard)}</dd>
${presence[0]?.holder ? html`<dt></dt><dd class="note">${t('terminal.heldBy', { hub: presence[0].holder })}</dd>` : ''}
</dl>
<ul class="timeline">${silences.map((a) => html`<li>${t('terminals.silent')} ${time.el(a.since)}${a.clearedAt !== null ? html` → ${t('terminals.connected')} ${time.el(a.clearedAt)}` : ''}</li>`)}</ul></section>
<section class="card span" aria-labelledby="h-readings"><h2 id="h-readings">${t('terminal.readings')}</h2>${
      latest ? html`<dl class="facts cols">${Object.entries(latest.result.readings).map(([k, v]) => html`<dt>${k}</dt><dd>${typeof v === 'string' ? v : JSON.stringify(v)}</dd>`)}</dl><p class="note">${time.el(latest.result.finishedAt)}</p>` : html`<p class="note">${t('common.none')}</p>`
    }</section>
</div>
<h2>${t('nav.alarms')}</h2>
${open.length ? html`<ul>${open.map((a) => html`<li><a href="/alarms/${a.id}">#${a.id}</a> ${severityBadge(t, a.severity)} <code>${a.code}</code> · ${alarmStatus(t, a)}</li>`)}</ul>` : html`<p class="note">${t('common.none')}</p>`}
<h2>${t('wo.title')}</h2>
${workOrders}
${canAct ? commandForms(p, id) : html`<p class="note">${t('common.forbidden', { role: p.session.principal.role })}</p>`}
<div id="command-result" aria-live="polite">${command ? await commandBox(p, id, command) : ''}</div>
<div class="grid">
<section aria-labelledby="h-selftests"><h2 id="h-selftests">${t('terminal.selfTests')}</h2>${selfTests.reports.map((r) => (r.kind === 'self_test' ? selfTestVerdict(p, r) : ''))}</section>
<section aria-labelledby="h-bundles"><h2 id="h-bundles">${t('terminal.bundles')}</h2><ul>${bundles.map((b) => html`<li>${time.el(b.receivedAt)} <a href="/bundles/${encodeURIComponent(b.id)}">${t('terminal.download')}</a> <span class="note">${b.size} B</span></li>`)}</ul></section>
</div>
<h2>${t('terminal.reports')}</h2>
${reports.reports.length === 0 ? html`<p class="note">${t('terminal.noReports')}</p>` : html`<table><thead><tr><th scope="col">#</th><th scope="col">${t('common.time')}</th><th scope="col"></th><th scope="col"></th></tr></thead><tbody>${reports.reports.map(
      (r) => html`<tr><td>${r.seq}</td><td>${time.el(r.receivedAt)}</td><td>${p.t(`report.${r.kind}`)}</td><td>${
        r.kind === 'fault' ? html`${severityBadge(t, r.severity)} <code>${r.code}</code> ${t(`fault.${r.state}`)} · ${localized(r.summary, p.locale)}` : r.kind === 'self_test' ? (r.result.passed ? t('terminal.passed') : t('terminal.failed')) : `${r.openFaults.length}`
      }</td></tr>`,
    )}</tbody></table>`}
${pager(t, `/terminals/${encodeURIComponent(id)}`, p.url.searchParams, reports.next ? encodeReportCursor(reports.next) : null)}`,
  };
}

function commandForms(p: PageRequest, id: string): Html {
  const { t } = p;
  const target = `/terminals/${encodeURIComponent(id)}/commands`;
  return html`<div class="actions">
<form method="post" action="${target}" hx-post="${target}" hx-target="#command-result" hx-swap="innerHTML" aria-label="${t('terminal.runSelfTest')}">
${csrfField(p.session.csrf)}<input type="hidden" name="name" value="self_test">
<label for="st-level">${t('terminal.level')}<select id="st-level" name="level"><option value="quick">quick</option><option value="full">full</option></select></label>
<button type="submit">${t('terminal.runSelfTest')}</button></form>
<form method="post" action="${target}" hx-post="${target}" hx-target="#command-result" hx-swap="innerHTML" aria-label="${t('terminal.fetchBundle')}">
${csrfField(p.session.csrf)}<input type="hidden" name="name" value="bundle">
<button type="submit">${t('terminal.fetchBundle')}</button></form>
</div>`;
}

/** POST /terminals/ID/commands (name, level): the command goes out as the API's would, audited as command.post. */
export async function postCommand(p: PageRequest, id: string, form: URLSearchParams): Promise<PageResult | null> {
  if (!Object.hasOwn(p.ctx.tokens, id)) throw new ConsoleError(404, p.t('common.notFound'));
  const name = form.get('name');
  const args = name === 'self_test' ? { level: form.get('level') || 'quick' } : {};
  const parsed = hubMessage.safeParse({ type: 'command', id: randomUUID(), name, args });
  if (!parsed.success) throw new ConsoleError(400, `not a command: ${name}`);
  const message = parsed.data as CommandMessage;
  const scope = { ...actionScope(p, 'command.post', id), detail: `${message.name} ${message.id}` };
  const outcome = await p.ctx.commands.post(id, message);
  await auditRequest(p.req, p.ctx, scope, outcome === 'not_connected' ? 409 : 202, outcome === 'not_connected' ? `terminal ${id} is not connected` : undefined);
  if (outcome === 'not_connected') {
    const box = html`<p class="flash error" role="alert">${p.t('terminal.notConnected')}</p>`;
    if (p.htmx) return { fragment: box };
    throw new ConsoleError(409, p.t('terminal.notConnected'));
  }
  if (p.htmx) return { fragment: await commandBox(p, id, message.id) };
  redirect(p.res, `/terminals/${encodeURIComponent(id)}?command=${encodeURIComponent(message.id)}`);
  return null;
}

/** GET /terminals/ID/commands/CID: the command's state, and once it is done its result; polls itself until then. */
export async function commandFragment(p: PageRequest, id: string, commandId: string): Promise<PageResult> {
  return { fragment: await commandBox(p, id, commandId) };
}

async function commandBox(p: PageRequest, id: string, commandId: string): Promise<Html> {
  const command = await p.ctx.store.command(commandId);
  if (!command || command.terminal !== id) return html`<p class="flash error">${p.t('common.notFound')}</p>`;
  const result = await commandResult(p, command);
  const done = result !== null || command.state === 'failed' || command.state === 'undeliverable';
  const self = `/terminals/${encodeURIComponent(id)}/commands/${encodeURIComponent(commandId)}`;
  return html`<div class="command" id="command-${commandId}" data-state="${command.state}"${done ? '' : html` hx-get="${self}" hx-trigger="${POLL}" hx-swap="outerHTML"`}>
<p>${p.t('terminal.command', { name: command.name === 'self_test' ? p.t('terminal.runSelfTest') : command.name === 'bundle' ? p.t('terminal.fetchBundle') : command.name, state: p.t(`command.${command.state}`) })}${command.detail ? html` <span class="note">${command.detail}</span>` : ''}</p>
${result ?? ''}
</div>`;
}

/** What the finished command brought: the self-test it ran, or the bundle it sent; null while not in yet. */
async function commandResult(p: PageRequest, command: CommandRecord): Promise<Html | null> {
  if (command.state !== 'succeeded') return null;
  if (command.name === 'self_test') {
    const recent = await p.ctx.store.recentReports(command.terminal, { kind: 'self_test', limit: 5 });
    const report = recent.reports.find((r) => r.kind === 'self_test' && r.commandId === command.id);
    return report?.kind === 'self_test' ? selfTestVerdict(p, report) : null;
  }
  if (command.name === 'bundle') {
    const bundle = (await p.ctx.store.listBundles(command.terminal)).find((b) => b.id === command.id);
    return bundle ? html`<p><a href="/bundles/${encodeURIComponent(bundle.id)}">${p.t('terminal.download')}</a> <span class="note">${bundle.size} B</span></p>` : null;
  }
  return html``;
}
