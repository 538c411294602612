import type { Locale } from 'posdiag-protocol';
import { roleAllows } from '../operators/roles.js';
import { assets } from './assets.js';
import { html, raw, type Html, type Part } from './html.js';
import type { MessageKey, Translate } from './i18n.js';
import type { ConsoleSession } from './session.js';

/** htmx's settings: no <style> it would inject (the CSP allows only the hub's stylesheet), no eval. */
const HTMX_CONFIG = JSON.stringify({ includeIndicatorStyles: false, allowEval: false, allowScriptTags: false });

const NAV: { href: string; key: MessageKey; admin?: boolean }[] = [
  { href: '/', key: 'nav.overview' },
  { href: '/alarms', key: 'nav.alarms' },
  { href: '/terminals', key: 'nav.terminals' },
  { href: '/workorders', key: 'nav.workorders' },
  { href: '/silences', key: 'nav.silences' },
  { href: '/users', key: 'nav.users', admin: true },
  { href: '/audit', key: 'nav.audit', admin: true },
];

export interface Shell {
  locale: Locale;
  t: Translate;
  title: string;
  /** The page's own path, for the nav's aria-current and the language links. */
  path: string;
  /** The current query without lang, so switching language keeps the page as it is. */
  query: URLSearchParams;
  session: ConsoleSession | null;
  zone: string;
  /** The page listens to the hub's event stream (console.js). */
  live?: boolean;
}

function head(s: Shell): Html {
  const a = assets();
  return html`<!doctype html>
<html lang="${s.locale}" data-tz="${s.zone}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="htmx-config" content="${HTMX_CONFIG}">
<title>${s.title} · ${s.t('app.title')}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${a.css.path}">
<script src="${a.htmx.path}" defer></script>
<script src="${a.js.path}" defer></script>
</head>`;
}

function langLinks(s: Shell): Html {
  const link = (locale: Locale, label: string) => {
    const q = new URLSearchParams(s.query);
    q.set('lang', locale);
    return html`<a href="${s.path}?${q.toString()}" hreflang="${locale}" lang="${locale}"${locale === s.locale ? raw(' aria-current="true"') : ''}>${label}</a>`;
  };
  return html`<span role="group" aria-label="${s.t('nav.language')}">${link('zh-CN', '中文')} ${link('en', 'English')}</span>`;
}

function isCurrent(path: string, href: string): boolean {
  return href === '/' ? path === '/' : path === href || path.startsWith(`${href}/`);
}

export function page(s: Shell, body: Part): Html {
  const session = s.session;
  const nav = session
    ? html`<nav aria-label="main"><ul>${NAV.filter((n) => !n.admin || roleAllows(session.principal.role, 'admin')).map(
        (n) => html`<li><a href="${n.href}"${isCurrent(s.path, n.href) ? raw(' aria-current="page"') : ''}>${s.t(n.key)}</a></li>`,
      )}</ul></nav>
<div class="who"><span>${s.t('nav.signedInAs', { name: session.principal.name, role: session.principal.role })}</span>${langLinks(s)}
<form method="post" action="/logout"><input type="hidden" name="csrf" value="${session.csrf}"><button type="submit">${s.t('nav.logout')}</button></form></div>`
    : html`<div class="who">${langLinks(s)}</div>`;
  return html`${head(s)}
<body${s.live ? raw(' data-live') : ''}>
<a class="skip" href="#main">${s.t('nav.skip')}</a>
<header class="top"><span class="brand">${s.t('app.title')}</span>${nav}</header>
<main id="main" tabindex="-1">
${body}
<p class="note">${s.t('common.timeZone', { tz: s.zone })}</p>
</main>
</body>
</html>`;
}
