/**
 * Fitting a message into a robot's byte limit (WeCom's markdown content: 4096 bytes of UTF-8) by
 * dropping whole lines from the end and saying how many were dropped, so a long group still arrives
 * as a readable message instead of being refused (WeCom errcode 40058). Never cuts a character.
 */

const ELLIPSIS = '…';

export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** `text` cut to at most `maxBytes` of UTF-8 on a code point boundary, ending in "…" when cut. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (utf8Bytes(text) <= maxBytes) return text;
  const budget = maxBytes - utf8Bytes(ELLIPSIS);
  let used = 0;
  let out = '';
  for (const ch of text) {
    const size = utf8Bytes(ch);
    if (used + size > budget) break;
    used += size;
    out += ch;
  }
  return out + ELLIPSIS;
}

/**
 * `head` then as many of `lines` as fit in `maxBytes`, one per line; when some do not fit, the last
 * line is `more(count dropped)`.
 */
export function fitLines(head: string, lines: readonly string[], maxBytes: number, more: (dropped: number) => string): string {
  const parts = [head];
  let used = utf8Bytes(head);
  let kept = 0;
  for (const [i, line] of lines.entries()) {
    const left = lines.length - i - 1;
    const reserve = left > 0 ? 1 + utf8Bytes(more(left)) : 0;
    const size = 1 + utf8Bytes(line);
    if (used + size + reserve > maxBytes) break;
    parts.push(line);
    used += size;
    kept += 1;
  }
  if (kept < lines.length) parts.push(more(lines.length - kept));
  return truncateUtf8(parts.join('\n'), maxBytes);
}
