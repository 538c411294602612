/**
 * The keys the file logger writes itself on every line (file-logger.ts). pino serializes a caller's
 * field after them under the same name, and a JSON reader keeps the last of two equal keys, so a field
 * named `level` (a self-test's level, say) used to replace the line's level and the reader dropped the
 * line. The writer therefore renames such a field (`level` → `field_level`), and the reader recovers
 * lines written before it did (see `recoverOwnFields`).
 *
 * `msg` is the message argument's key only: a `msg` field is renamed too.
 */
export const OWN_KEYS: ReadonlySet<string> = new Set(['level', 'time', 'pid', 'name', 'msg']);

/** The name a caller's field takes when it is one of OWN_KEYS. */
export function callerFieldName(key: string): string {
  return `field_${key}`;
}

/** `fields` itself when no key collides; otherwise a copy with the colliding keys renamed, in order. */
export function withoutOwnKeys<T extends object>(fields: T): T {
  if (!Object.keys(fields).some((key) => OWN_KEYS.has(key))) return fields;
  return Object.fromEntries(Object.entries(fields).map(([key, value]) => [OWN_KEYS.has(key) ? callerFieldName(key) : key, value])) as T;
}

// pino writes `{"level":…,"time":…,"pid":…,"name":…` first, each value a JSON string or number.
const LEADING_OWN_FIELD = /"(level|time|pid|name)":("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?),?/y;

/**
 * Repairs a parsed line written by an older version, whose own leading keys (level, time, pid, name)
 * a caller's field of the same name overrode in `record`: the own values are read back from the start
 * of the raw `line`, and the caller's values move to their `field_` names. `record` is changed in place.
 */
export function recoverOwnFields(line: string, record: Record<string, unknown>): void {
  if (!line.startsWith('{')) return;
  LEADING_OWN_FIELD.lastIndex = 1;
  const seen = new Set<string>();
  for (let m = LEADING_OWN_FIELD.exec(line); m; m = LEADING_OWN_FIELD.exec(line)) {
    const key = m[1]!;
    // A repeated key is a caller's field that happened to follow the own ones.
    if (seen.has(key)) return;
    seen.add(key);
    const own: unknown = JSON.parse(m[2]!);
    if (record[key] !== own) {
      record[callerFieldName(key)] = record[key];
      record[key] = own;
    }
  }
}
