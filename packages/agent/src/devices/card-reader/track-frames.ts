import type { FrameParser } from '../../drivers/transports/serial.js';
import { accountDigits, type CardKey, type CardKeys } from './card-keys.js';
import { swipeOutcome, type SwipeResult, type TrackResult } from './swipe.js';
import { END_SENTINEL, ERROR_MARK, isStartSentinel, isTrackByte, isTrackText, PERCENT, PLUS, SEMICOLON } from './track-text.js';

/**
 * Serial magstripe readers send one swipe as track text (`%…?` track 1, `;…?` track 2, `;…?` or `+…?`
 * track 3; a failed track as `%E?`, `;E?`, `+E?`), either as a line ended by CR/LF or framed as
 * STX text ETX LRC, where LRC is the XOR of every byte after STX up to and including ETX.
 *
 * Noise is not a swipe: text that does not have a swipe's shape (isTrackText), framed or not, is a
 * `noise` frame with its length, and so is a frame broken by a byte that cannot be track text (the
 * byte is then taken afresh: a stray STX cannot swallow the swipe behind it).
 *
 * Invariants (PCI DSS 3.3.1):
 * - Work is done on bytes, never on strings: a JS string of track data could not be wiped.
 * - `push` zeroes the chunk it is given, and every byte of the internal buffer is zeroed once consumed
 *   (or on reset), so no card data outlives parsing. Frames carry status fields only.
 */

export type TrackFrame = { type: 'swipe'; swipe: SwipeResult; card?: CardKey } | { type: 'noise'; length: number };

const STX = 0x02;
const ETX = 0x03;
const CR = 0x0d;
const LF = 0x0a;
/** Longer than tracks 1-3 together with sentinels and framing; a run past it is line noise. */
const MAX_FRAME = 512;

export class TrackFrameParser implements FrameParser<TrackFrame> {
  private readonly buf = Buffer.alloc(MAX_FRAME + 2);
  private len = 0;

  /** `cards`: a swipe then names its card (opaque, in memory: card-keys.ts) when a decoded track holds its account number. */
  constructor(private readonly cards?: CardKeys) {}

  push(chunk: Uint8Array): TrackFrame[] {
    const frames: TrackFrame[] = [];
    try {
      for (const byte of chunk) this.take(byte, frames);
    } finally {
      chunk.fill(0);
    }
    return frames;
  }

  reset(): void {
    this.buf.fill(0);
    this.len = 0;
  }

  private take(byte: number, frames: TrackFrame[]): void {
    if (this.len > 0 && this.buf[0] === STX) {
      // A framed message is complete with the byte after ETX (its LRC, any byte); before ETX only track text.
      if (this.len >= 2 && this.buf[this.len - 1] === ETX) {
        this.buf[this.len++] = byte;
        return this.emit(frames, classifyFramed(this.buf.subarray(0, this.len)), this.buf.subarray(1, this.len - 2));
      }
      if (byte === ETX || isTrackByte(byte)) return this.append(byte, frames);
      this.noise(frames);
    }
    if (this.len === 0 && (byte === CR || byte === LF)) return;
    if (byte === CR || byte === LF) return this.emit(frames, classifyLine(this.buf.subarray(0, this.len)), this.buf.subarray(0, this.len));
    if (byte === STX && this.len > 0) this.emit(frames, classifyLine(this.buf.subarray(0, this.len)), this.buf.subarray(0, this.len));
    this.append(byte, frames);
  }

  private append(byte: number, frames: TrackFrame[]): void {
    this.buf[this.len++] = byte;
    if (this.len > MAX_FRAME) this.noise(frames);
  }

  private noise(frames: TrackFrame[]): void {
    frames.push({ type: 'noise', length: this.len });
    this.reset();
  }

  /** A swipe (with its card, read from `text` before the buffer is zeroed), or noise of the frame's length. */
  private emit(frames: TrackFrame[], swipe: SwipeResult | undefined, text: Uint8Array): void {
    if (!swipe) return this.noise(frames);
    const card = this.cards ? cardInText(text, swipe, this.cards) : undefined;
    frames.push(card ? { type: 'swipe', swipe, card } : { type: 'swipe', swipe });
    this.reset();
  }
}

/** A line's swipe, or undefined when it is not track text. */
function classifyLine(text: Uint8Array): SwipeResult | undefined {
  return isTrackText(text) ? classifyTrackText(text) : undefined;
}

/**
 * STX text ETX LRC, or undefined when the text is not track text. A bad LRC makes every track that
 * seemed to decode untrustworthy: a decode error.
 */
function classifyFramed(frame: Uint8Array): SwipeResult | undefined {
  let lrc = 0;
  for (let i = 1; i < frame.length - 1; i++) lrc ^= frame[i]!;
  const swipe = classifyLine(frame.subarray(1, frame.length - 2));
  if (!swipe || lrc === frame[frame.length - 1]) return swipe;
  const tracks = swipe.tracks.map((t) => (t.status === 'ok' ? { status: 'decode_error', length: 0 } : t)) as SwipeResult['tracks'];
  return { outcome: swipeOutcome(tracks, 'unknown'), tracks, encodeType: 'unknown' };
}

/**
 * Tracks arrive in order 1, 2, 3. A sentinel names its track (`;` is track 2, or 3 once track 2 was
 * seen). Text with no start sentinel stands in for the next track not yet seen, up to its `?`.
 */
export function classifyTrackText(text: Uint8Array): SwipeResult {
  const tracks: TrackResult[] = [empty(), empty(), empty()];
  let next = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c <= 0x20) {
      i++;
      continue;
    }
    const track = c === PERCENT ? 0 : c === PLUS ? 2 : c === SEMICOLON ? (next <= 1 ? 1 : 2) : -1;
    if (track >= 0) {
      const end = text.indexOf(END_SENTINEL, i + 1);
      const stop = end < 0 ? text.length : end + 1;
      const failed = end < 0 || (end === i + 2 && text[i + 1] === ERROR_MARK);
      const status = failed ? 'decode_error' : end === i + 1 ? 'empty' : 'ok';
      if (tracks[track]!.status === 'empty') tracks[track] = { status, length: status === 'ok' ? stop - i : 0 };
      next = track + 1;
      i = stop;
      continue;
    }
    let stop = i;
    while (stop < text.length && text[stop] !== END_SENTINEL && !isStartSentinel(text[stop]!)) stop++;
    if (text[stop] === END_SENTINEL) stop++;
    if (next <= 2) tracks[next] = { status: 'no_start_sentinel', length: stop - i };
    next++;
    i = stop;
  }
  const fixed = tracks as SwipeResult['tracks'];
  return { outcome: swipeOutcome(fixed, 'unknown'), tracks: fixed, encodeType: 'unknown' };
}

/** The card of the first decoded track 1 (`%B…^`) or track 2 (`;…=`) in the text. */
function cardInText(text: Uint8Array, swipe: SwipeResult, cards: CardKeys): CardKey | undefined {
  for (const [index, sentinel] of [[0, PERCENT], [1, SEMICOLON]] as const) {
    if (swipe.tracks[index].status !== 'ok') continue;
    const start = text.indexOf(sentinel);
    const card = start < 0 ? undefined : cards.of(accountDigits(text.subarray(start)));
    if (card) return card;
  }
  return undefined;
}

function empty(): TrackResult {
  return { status: 'empty', length: 0 };
}
