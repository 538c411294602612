import type { Locale } from 'posdiag-protocol';
import { html, type Html } from './html.js';

/**
 * Times as the operator reads them: in their time zone (the `posdiag_tz` cookie the console's script
 * sets from the browser, or `?tz=`), else UTC; as YYYY-MM-DD HH:mm:ss, inside a <time> whose datetime
 * is the exact instant.
 */
export interface TimeFormat {
  zone: string;
  text(at: number | string | null | undefined): string;
  el(at: number | string | null | undefined): Html;
}

export function validTimeZone(zone: string | undefined): string | null {
  if (!zone || zone.length > 64) return null;
  try {
    return new Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

export function timeFormat(zone: string): TimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    formatters.set(zone, f);
  }
  const fmt = f;
  const toMs = (at: number | string) => (typeof at === 'number' ? at : Date.parse(at));
  const text = (at: number | string | null | undefined) => {
    if (at === null || at === undefined) return '';
    const ms = toMs(at);
    if (!Number.isFinite(ms)) return String(at);
    const p = Object.fromEntries(fmt.formatToParts(ms).map((x) => [x.type, x.value]));
    return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
  };
  return {
    zone,
    text,
    el: (at) => (at === null || at === undefined ? html`` : html`<time datetime="${new Date(toMs(at)).toISOString()}">${text(at)}</time>`),
  };
}

/** A report's own localized text (a fault summary) in the console's language. */
export function localized(text: { en: string; 'zh-CN': string } | undefined, locale: Locale): string {
  return text ? text[locale] || text.en : '';
}
