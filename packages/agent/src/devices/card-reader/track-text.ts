/**
 * Whether bytes off a serial reader's line have the shape of a swipe, before they are counted as one
 * (protocols.md §5). Line noise is not a failed swipe: counted as one, 10 MB of random bytes made
 * 84,000 "swipes" and a read-errors fault. Works on bytes, like the frame parser (no strings of card
 * data), and decides only the shape: classifyTrackText says what the tracks held.
 *
 * A swipe is one or more tracks, side by side or separated by blanks:
 * - a start sentinel (`%` track 1; `;` or `+` tracks 2/3), the track's characters, the end sentinel `?`;
 *   `E` alone is a track the reader failed to read, nothing at all an empty track;
 * - a track read without its start sentinel, or cut off before its end sentinel (the last one only):
 *   the reader's own failures, kept so they count against the read head.
 * Track characters are ISO 7811's: 0x20–0x5F on track 1, 0x30–0x3E on tracks 2 and 3. A track that
 * decoded holds at least MIN_TRACK of them (a PAN alone is 12 digits or more, ISO/IEC 7812), and a
 * swipe of nothing but empty tracks names at least two, so that the few bytes random noise forms by
 * chance (`;?`, `%A?`) are not taken for a card.
 */

export const MIN_TRACK = 12;

export const END_SENTINEL = 0x3f; // '?'
export const ERROR_MARK = 0x45; // 'E'
export const PERCENT = 0x25;
export const SEMICOLON = 0x3b;
export const PLUS = 0x2b;
const SPACE = 0x20;
const TAB = 0x09;

/** Track 1 characters (0x20–0x5F), which are also every character a track of any kind may hold. */
export const isTrackByte = (b: number): boolean => b === TAB || (b >= 0x20 && b <= 0x5f);
const isTrack1Char = (b: number): boolean => b >= 0x20 && b <= 0x5f && b !== END_SENTINEL;
const isTrack23Char = (b: number): boolean => b >= 0x30 && b <= 0x3e;
export const isStartSentinel = (b: number): boolean => b === PERCENT || b === SEMICOLON || b === PLUS;

type Segment = 'read' | 'empty' | 'invalid';

export function isTrackText(text: Uint8Array): boolean {
  let empty = 0;
  let other = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === SPACE || c === TAB) {
      i++;
      continue;
    }
    const [segment, next] = isStartSentinel(c) ? sentinelled(text, i) : unsentinelled(text, i);
    if (segment === 'invalid') return false;
    if (segment === 'empty') empty++;
    else other++;
    i = next;
  }
  return other > 0 || empty >= 2;
}

/** A track from its start sentinel at `start`: the kind it is and where the next one begins. */
function sentinelled(text: Uint8Array, start: number): [Segment, number] {
  const allowed = text[start] === PERCENT ? isTrack1Char : isTrack23Char;
  const body = start + 1;
  if (text[body] === END_SENTINEL) return ['empty', body + 1];
  if (text[body] === ERROR_MARK && text[body + 1] === END_SENTINEL) return ['read', body + 2];
  let i = body;
  while (i < text.length && allowed(text[i]!)) i++;
  const long = i - body >= MIN_TRACK;
  if (i < text.length && text[i] === END_SENTINEL) return [long ? 'read' : 'invalid', i + 1];
  // Cut off before its end sentinel: only as the last thing on the line.
  return [long && i === text.length ? 'read' : 'invalid', i];
}

/** Track text without its start sentinel, up to its end sentinel, the next start sentinel or the end. */
function unsentinelled(text: Uint8Array, start: number): [Segment, number] {
  let i = start;
  while (i < text.length && isTrack1Char(text[i]!) && !isStartSentinel(text[i]!)) i++;
  if (i - start < MIN_TRACK) return ['invalid', i];
  if (i < text.length && text[i] === END_SENTINEL) return ['read', i + 1];
  return [i === text.length || isStartSentinel(text[i]!) ? 'read' : 'invalid', i];
}
