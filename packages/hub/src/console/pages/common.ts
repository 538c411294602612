import type { Severity } from 'posdiag-protocol';
import type { AlarmRecord } from '../../alarms/alarm.js';
import type { RequestScope } from '../../http-api.js';
import type { PageRequest } from '../context.js';
import { html, type Html } from '../html.js';
import type { Translate } from '../i18n.js';

/** Bits several pages show the same way. */

export function severityBadge(t: Translate, severity: Severity): Html {
  return html`<span class="sev sev-${severity}">${t(`severity.${severity}`)}</span>`;
}

export function alarmStatus(t: Translate, a: AlarmRecord): Html {
  const parts = [a.status === 'active' ? t('alarms.active') : t('alarms.cleared'), a.acknowledged ? t('alarms.acked') : t('alarms.unacked')];
  if (a.closedAt !== null) parts.push(t('alarms.closed'));
  return html`${parts.join(' · ')}`;
}

export function terminalLink(id: string): Html {
  return html`<a href="/terminals/${encodeURIComponent(id)}">${id}</a>`;
}

/** Keyset paging: a link to the first page when this is not it, and to the next when there may be one. */
export function pager(t: Translate, path: string, query: URLSearchParams, next: string | null): Html {
  const first = new URLSearchParams(query);
  first.delete('after');
  first.delete('fragment');
  const after = new URLSearchParams(first);
  if (next !== null) after.set('after', next);
  return html`<nav class="pager" aria-label="pages">${query.has('after') ? html`<a href="${path}${first.size ? `?${first}` : ''}">${t('common.first')}</a>` : ''}${
    next !== null ? html`<a href="${path}?${after.toString()}" rel="next">${t('common.next')}</a>` : ''
  }</nav>`;
}

/** A <select> whose options are values with their shown text; the current one selected. */
export function select(name: string, label: string, options: [value: string, text: string][], current: string | undefined, id = `f-${name}`): Html {
  return html`<label for="${id}">${label}<select id="${id}" name="${name}">${options.map(
    ([value, text]) => html`<option value="${value}"${value === (current ?? '') ? html` selected` : ''}>${text}</option>`,
  )}</select></label>`;
}

export function csrfField(csrf: string): Html {
  return html`<input type="hidden" name="csrf" value="${csrf}">`;
}

export function commentBox(t: Translate, id: string, required = false): Html {
  return html`<label for="${id}">${t('common.comment')}<textarea id="${id}" name="comment" rows="2" maxlength="4000"${required ? html` required` : ''}></textarea></label>`;
}

/** The audit scope of a console action, done as the signed-in operator from their address. */
export function actionScope(p: PageRequest, action: string, target?: string): RequestScope {
  return { remote: p.req.socket.remoteAddress ?? null, principal: p.session.principal, action, ...(target !== undefined ? { target } : {}) };
}
