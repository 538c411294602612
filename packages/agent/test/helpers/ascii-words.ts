/**
 * The English left in a Chinese text: every run of ASCII letters that is not part of an identifier the
 * output may show as it is. `allowed` are exact tokens (fault codes, reading names, terminal id, model,
 * serial…); units and the technical acronyms Chinese writes in Latin letters are allowed here too.
 */
const UNITS_AND_ACRONYMS = new Set(['dBm', 'ms', 'V', 'USB', 'SIM', 'PIN', 'PUK', 'TLS', 'Wi-Fi', 'Fi', 'Wi', 'C']);

export function asciiWordsOutside(text: string, allowed: Iterable<string>): string[] {
  const tokens = new Set(allowed);
  const found: string[] = [];
  // A token: what lies between spaces, CJK text and the punctuation around identifiers.
  for (const token of text.split(/[\s\u3000-\u303f\u4e00-\u9fff\uff00-\uffef（）：，、。·—✓✗"'()[\]:,;]+/u)) {
    if (!/[A-Za-z]/.test(token) || tokens.has(token)) continue;
    // Hex evidence (status bytes) and numbers with their units.
    if (/^(?:[0-9a-f]{2})$|^-?\d+(?:\.\d+)?(?:dBm|ms|V|%|°C|s)?$/.test(token)) continue;
    for (const word of token.match(/[A-Za-z][A-Za-z-]*/g) ?? []) if (!UNITS_AND_ACRONYMS.has(word)) found.push(token);
  }
  return [...new Set(found)];
}
