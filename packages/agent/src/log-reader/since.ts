import { DURATION_PATTERN, parseDuration } from 'posdiag-protocol';

// Date, then optionally a time and an offset: what Date.parse reads reliably as ISO 8601.
const ISO = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * The start time of `posdiag log --since`: a duration back from `now` (posdiag-protocol's duration.ts: `30s`, `10m`, `2h`, `1d`) or an
 * ISO 8601 time. An ISO time without an offset, or a bare date, is local time: the technician reads it
 * off the terminal's clock. Throws an Error with a message fit for the command line.
 */
export function parseSince(text: string, now: number): number {
  const input = text.trim();
  if (DURATION_PATTERN.test(input)) return now - parseDuration(input);
  if (ISO.test(input)) {
    // A bare date would be UTC for Date.parse; give it a time so it is local like the rest.
    const ms = Date.parse(input.length === 10 ? `${input}T00:00` : input.replace(' ', 'T'));
    if (!Number.isNaN(ms)) return ms;
  }
  throw new Error(`invalid --since "${text}": give a duration such as 30s, 10m, 2h or 1d, or an ISO 8601 time such as 2026-11-23T04:00:00Z`);
}
