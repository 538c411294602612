/**
 * Parameters of an information response: `+CREG: 2,1,"00C3","0000A13F",7` → ['2', '1', '00C3', '0000A13F', '7'].
 * Commas inside quotes belong to the value; quotes are removed and whitespace around values trimmed.
 * `quoted` tells, per value, whether it was quoted (a quoted value is text even when it looks numeric).
 */
export interface AtParams {
  values: string[];
  quoted: boolean[];
}

export function splitParams(text: string): AtParams {
  const values: string[] = [];
  const quoted: boolean[] = [];
  let current = '';
  let inQuotes = false;
  let wasQuoted = false;
  for (const ch of text) {
    if (ch === '"') {
      inQuotes = !inQuotes;
      wasQuoted = true;
    } else if (ch === ',' && !inQuotes) {
      values.push(current.trim());
      quoted.push(wasQuoted);
      current = '';
      wasQuoted = false;
    } else {
      current += ch;
    }
  }
  values.push(current.trim());
  quoted.push(wasQuoted);
  return { values, quoted };
}

/** The text after `<prefix>:` (case-insensitive, space after the colon optional), or undefined. */
export function afterPrefix(line: string, prefix: string): string | undefined {
  const head = `${prefix}:`;
  if (line.length < head.length || line.slice(0, head.length).toUpperCase() !== head.toUpperCase()) return undefined;
  return line.slice(head.length).trim();
}

/** A decimal integer parameter, or undefined for anything else (empty, hex letters, garbage). */
export function intParam(value: string | undefined): number | undefined {
  return value !== undefined && /^\d{1,9}$/.test(value) ? Number(value) : undefined;
}
