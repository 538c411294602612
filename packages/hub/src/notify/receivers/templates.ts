import type { Locale, Severity } from 'posdiag-protocol';
import { fitLines } from './fit-bytes.js';
import type { Notification, NotificationAlert } from './notification.js';

/**
 * The words of every notification a person reads, zh-CN and en, and the one layout all receivers
 * share: a title ("[FIRING:2] printer.paper_end — T-0001", "[告警:2] …"), one line per alert
 * (terminal, code, severity, since, the catalog's summary) and the console's link. The receivers only
 * choose markdown or plain text and how many bytes fit.
 */

interface Words {
  readonly firing: string;
  readonly resolved: string;
  readonly severity: Readonly<Record<Severity, string>>;
  readonly since: string;
  readonly endedAt: string;
  readonly needsTechnician: string;
  readonly terminals: (n: number) => string;
  readonly codes: (n: number) => string;
  readonly more: (n: number) => string;
  readonly openConsole: string;
}

const WORDS: Readonly<Record<Locale, Words>> = {
  en: {
    firing: 'FIRING',
    resolved: 'RESOLVED',
    severity: { critical: 'critical', major: 'major', minor: 'minor', info: 'info' },
    since: 'since',
    endedAt: 'resolved',
    needsTechnician: 'needs a technician',
    terminals: (n) => `${n} terminals`,
    codes: (n) => `${n} faults`,
    more: (n) => `… and ${n} more`,
    openConsole: 'Open in the console',
  },
  'zh-CN': {
    firing: '告警',
    resolved: '已恢复',
    severity: { critical: '紧急', major: '重要', minor: '次要', info: '提示' },
    since: '始于',
    endedAt: '恢复于',
    needsTechnician: '需要技术员上门',
    terminals: (n) => `${n} 台终端`,
    codes: (n) => `${n} 种故障`,
    more: (n) => `… 另有 ${n} 条`,
    openConsole: '在控制台查看',
  },
};

/** Up to this many distinct codes or terminals are named in a title; more are counted. */
const TITLE_NAMES = 3;

export type TextStyle = 'markdown' | 'plain';

export interface RenderedNotification {
  readonly title: string;
  /** One per alert, in the notification's order. */
  readonly lines: readonly string[];
  /** The console's link line, or null while there is no console address. */
  readonly link: string | null;
  readonly more: (dropped: number) => string;
}

export function renderNotification(n: Notification, locale: Locale, style: TextStyle): RenderedNotification {
  const words = WORDS[locale];
  const strong = style === 'markdown' ? (s: string) => `**${s}**` : (s: string) => s;
  const bullet = style === 'markdown' ? '- ' : '* ';
  return {
    title: renderTitle(n, words),
    lines: n.alerts.map((a) => bullet + renderAlert(a, locale, words, strong)),
    link: n.externalURL === '' ? null : style === 'markdown' ? `[${words.openConsole}](${n.externalURL})` : `${words.openConsole}: ${n.externalURL}`,
    more: words.more,
  };
}

/**
 * The message body: the heading (when the receiver has no title field of its own) and the console's
 * link first, so neither is what a byte limit drops, then the alerts, as many as fit.
 */
export function composeBody(r: RenderedNotification, heading: string | null, maxBytes = Number.POSITIVE_INFINITY): string {
  const head = [heading, r.link].filter((s): s is string => s !== null).join('\n');
  if (head === '') return fitLines(r.lines[0] ?? '', r.lines.slice(1), maxBytes, r.more);
  return fitLines(head, r.lines, maxBytes, r.more);
}

function renderTitle(n: Notification, words: Words): string {
  const counted = n.alerts.filter((a) => a.status === n.status);
  const codes = nameOrCount(counted.map((a) => a.labels.code), words.codes);
  const terminals = nameOrCount(counted.map((a) => a.labels.terminal), words.terminals);
  const status = n.status === 'firing' ? words.firing : words.resolved;
  return `[${status}:${counted.length}] ${codes} — ${terminals}`;
}

function nameOrCount(values: readonly string[], count: (n: number) => string): string {
  const distinct = [...new Set(values)];
  return distinct.length <= TITLE_NAMES ? distinct.join(', ') : count(distinct.length);
}

function renderAlert(a: NotificationAlert, locale: Locale, words: Words, strong: (s: string) => string): string {
  const code = a.labels.instance ? `${a.labels.code} (${a.labels.instance})` : a.labels.code;
  const parts = [`${strong(a.labels.terminal)} ${code}`, words.severity[a.labels.severity], `${words.since} ${formatTime(a.startsAt)}`];
  if (a.status === 'resolved' && a.endsAt !== null) parts.push(`${words.endedAt} ${formatTime(a.endsAt)}`);
  if (a.annotations.needsTechnician === true && a.status === 'firing') parts.push(words.needsTechnician);
  return `${parts.join(' · ')} — ${a.annotations.summary[locale]}`;
}

/** UTC, to the second: the same instant for every reader, whatever the sender's zone. */
export function formatTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
