import { scrubText, scrubValue } from '../core/card-scrubber.js';

/**
 * Scrubs one serialized JSON log line of card data (SPEC §8). Pino's path redaction cannot see inside
 * message strings, so the whole line goes through `scrubText`.
 *
 * Invariant: the result is valid JSON with every string and number scrubbed. `scrubText` on the raw text
 * can break JSON syntax (a PAN logged as a bare number becomes `411111******1111`; a track pattern can
 * span a quote), so then the parsed line is scrubbed value by value instead, which turns such numbers
 * into strings.
 */
export function scrubLogLine(line: string): string {
  const text = scrubText(line);
  if (text === line || isJson(text)) return text;
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    // Not JSON to begin with (never from pino): the text scrub is all we can do.
    return text;
  }
  return JSON.stringify(scrubValue(parsed)) + (line.endsWith('\n') ? '\n' : '');
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
