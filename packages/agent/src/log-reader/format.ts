import type { LogEntry } from './entry.js';
import type { LogLevel } from '../log-line/levels.js';

export interface FormatOptions {
  /** ANSI colours (for a terminal). */
  color: boolean;
  /** Show times in UTC instead of the terminal's local time. */
  utc?: boolean;
}

// Shown in their own columns, or constant per process and noise to a reader.
const NOT_EXTRA = new Set(['time', 'level', 'device', 'fault', 'msg', 'pid', 'hostname', 'name']);

const LEVEL_COLOR: Record<LogLevel, string> = {
  trace: '90',
  debug: '36',
  info: '32',
  warn: '33',
  error: '31',
  fatal: '1;31',
};

/**
 * One entry as a human line: time, level, device, fault, message, then the other fields as key=value,
 * e.g. `2026-11-23 04:01:02 WARN  printer  printer.paper_end  paper end  status_hex=72`.
 * Device and fault are left out when absent.
 */
export function formatEntry(entry: LogEntry, options: FormatOptions): string {
  const paint = (code: string, text: string) => (options.color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const columns = [
    `${paint('2', formatTime(entry.time, options.utc ?? false))} ${paint(LEVEL_COLOR[entry.level], entry.level.toUpperCase().padEnd(5))}`,
  ];
  if (typeof entry.device === 'string') columns.push(entry.device);
  if (typeof entry.fault === 'string') columns.push(paint('1', entry.fault));
  if (typeof entry.msg === 'string') columns.push(entry.msg);
  const extras = Object.entries(entry)
    .filter(([key, value]) => !NOT_EXTRA.has(key) && value !== undefined)
    .map(([key, value]) => `${key}=${formatValue(value)}`);
  if (extras.length > 0) columns.push(paint('2', extras.join(' ')));
  return columns.join('  ');
}

function formatTime(iso: string, utc: boolean): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, '0');
  const [y, mo, day, h, mi, s] = utc
    ? [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()]
    : [d.getFullYear(), d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds()];
  return `${y}-${pad(mo)}-${pad(day)} ${pad(h)}:${pad(mi)}:${pad(s)}`;
}

/** Bare when unambiguous (no spaces, quotes or `=`), JSON otherwise, so the line splits back cleanly. */
function formatValue(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return JSON.stringify(value);
}
