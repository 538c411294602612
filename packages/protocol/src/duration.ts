/**
 * The one duration grammar of posdiag: a whole number and a unit, `500ms`, `30s`, `5m`, `2h`, `1d`,
 * `1w`. The config file, `posdiag hub --silence-after` and `posdiag log --since` all read durations
 * through here, so a value one of them accepts, the others accept too.
 */
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

type Unit = keyof typeof UNIT_MS;

/** The grammar, for schemas (the JSON Schema `pattern` of every duration key). */
export const DURATION_PATTERN = /^(\d+)(ms|s|m|h|d|w)$/;

/** How to write one, for error messages. */
export const DURATION_EXAMPLES = '"500ms", "30s", "5m", "2h" or "1d"';

export class DurationError extends Error {
  override name = 'DurationError';
}

/** "30s" → 30000. Throws DurationError for anything outside the grammar. */
export function parseDuration(text: string): number {
  const m = DURATION_PATTERN.exec(text);
  if (!m) throw new DurationError(`not a duration: "${text}" (give one such as ${DURATION_EXAMPLES})`);
  const ms = Number(m[1]) * UNIT_MS[m[2] as Unit];
  if (!Number.isSafeInteger(ms)) throw new DurationError(`duration too long: "${text}"`);
  return ms;
}
