/**
 * The one scrubber for card data (SPEC §8, PCI DSS 3.3 / 3.4.1). Every string that leaves the agent —
 * log line, report, outbox record, bundle, wire frame — passes through `scrubText` or `scrubValue`.
 *
 * - Track-shaped strings (ISO 7813 track 1 `%B…^…^…?`, track 2 `;PAN=YYMM…?`, and their bodies without
 *   sentinels) are removed whole: they hold the PAN, expiry and discretionary data (CVV).
 * - A Luhn-valid run of 13–19 digits (optionally grouped by single spaces or dashes) is a PAN: it is
 *   masked to at most the first 6 and the last 4 digits. Runs that fail Luhn are left alone, so serial
 *   numbers and timestamps stay readable, and so are UUIDs (report, test and command ids).
 */

const TRACK1 = /%?B\d{12,19}\^[^^\r\n]{0,26}\^[^?\r\n]{0,79}\??/g;
const TRACK2 = /;?\d{12,19}=[\d=]{4,30}\??/g;
// Digits with optional single separators; boundaries keep us from cutting a longer number in two. A
// UUID is matched first and kept whole: its dash-separated digit groups (…1234567-8901-2345…) would
// otherwise read as a PAN about once in a hundred ids, and ids are how a log line meets its report.
const DIGIT_RUN = /(?<![0-9A-Fa-f-])[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}(?![0-9A-Fa-f-])|(?<![\d])\d(?:[ -]?\d){12,18}(?![\d])/g;
const UUID = /^[0-9A-Fa-f]{8}-/;

export const TRACK_PLACEHOLDER = '[track data removed]';

export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/** First 6 and last 4 digits kept, the rest replaced by `*`. */
export function maskPan(digits: string): string {
  return digits.slice(0, 6) + '*'.repeat(Math.max(0, digits.length - 10)) + digits.slice(-4);
}

export function scrubText(text: string): string {
  // Fast path: no run of 13 digits is possible without this many digits.
  if (!/\d{4}/.test(text)) return text;
  return text
    .replace(TRACK1, TRACK_PLACEHOLDER)
    .replace(TRACK2, TRACK_PLACEHOLDER)
    .replace(DIGIT_RUN, (run) => {
      if (UUID.test(run)) return run;
      const digits = run.replace(/[ -]/g, '');
      return digits.length >= 13 && digits.length <= 19 && luhnValid(digits) ? maskPan(digits) : run;
    });
}

/** Deep copy with every string (keys included) and every PAN-like integer scrubbed. */
export function scrubValue<T>(value: T): T {
  return scrubAny(value) as T;
}

/** Whether `scrubValue` would change anything in `value`: a check that copies nothing. */
export function holdsCardData(value: unknown): boolean {
  if (typeof value === 'string') return scrubText(value) !== value;
  if (typeof value === 'number') return scrubAny(value) !== value;
  if (Array.isArray(value)) return value.some(holdsCardData);
  if (value !== null && typeof value === 'object') return Object.entries(value).some(([k, v]) => holdsCardData(k) || holdsCardData(v));
  return false;
}

function scrubAny(value: unknown): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 1e12) return value;
    const scrubbed = scrubText(String(value));
    return scrubbed === String(value) ? value : scrubbed;
  }
  if (Array.isArray(value)) return value.map(scrubAny);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[scrubText(k)] = scrubAny(v);
    return out;
  }
  return value;
}
