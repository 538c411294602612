import { accountDigits, type CardKey, type CardKeys } from './card-keys.js';
import { swipeOutcome, type EncodeType, type SwipeResult, type TrackResult } from './swipe.js';

/**
 * The MagTek USB HID swipe report (protocols.md §5; MagTek USB HID Swipe Reader manual pp. 15-17):
 * one 337-byte input report per swipe.
 *
 *   0-2     decode status of tracks 1..3 (bit 0 set = error: LRC or parity)
 *   3-5     track lengths (0 on error or empty)
 *   6       card encode type
 *   7-116, 117-226, 227-336   track 1..3 text with sentinels (ciphertext on encrypting heads)
 */
export const MAGTEK_REPORT_LENGTH = 337;
export const MAGTEK_TRACK_OFFSETS = [7, 117, 227] as const;
export const MAGTEK_TRACK_FIELD = 110;

const ENCODE_TYPES: Record<number, EncodeType> = { 0: 'iso', 1: 'aamva', 3: 'blank', 4: 'other', 5: 'undetermined' };

// Track 1 starts with '%'; track 2 with ';'; track 3 with ';' (ISO), '+' (some banks) or '%' (AAMVA).
const START_SENTINELS: readonly (readonly number[])[] = [[0x25], [0x3b], [0x3b, 0x2b, 0x25]];

export type ReportClassification = { ok: true; swipe: SwipeResult; card?: CardKey } | { ok: false; problem: string };

/**
 * Pure: reads status bytes, lengths, the encode type and the first character of each track (only to
 * see whether a start sentinel is there). Nothing of the track text is returned.
 */
export function classifyMagTekReport(report: Uint8Array): ReportClassification {
  if (report.length !== MAGTEK_REPORT_LENGTH) {
    return { ok: false, problem: `unexpected HID report length ${report.length} (a MagTek swipe report is ${MAGTEK_REPORT_LENGTH} bytes)` };
  }
  const tracks = MAGTEK_TRACK_OFFSETS.map((offset, i) => classifyTrack(report[i]!, report[3 + i]!, report[offset]!, i)) as SwipeResult['tracks'];
  const encodeType = ENCODE_TYPES[report[6]!] ?? 'unknown';
  return { ok: true, swipe: { outcome: swipeOutcome(tracks, encodeType), tracks, encodeType } };
}

/**
 * Classifies, then zeroes the report in place whatever happens: the raw bytes hold the PAN and must not
 * outlive classification (PCI DSS 3.3.1). The only entry point drivers use. With `cards`, the swipe
 * also names its card (an opaque in-memory key, card-keys.ts) when a decoded track holds its account
 * number: what tells a damaged card from a failing reader.
 */
export function consumeMagTekReport(report: Uint8Array, cards?: CardKeys): ReportClassification {
  try {
    const result = classifyMagTekReport(report);
    if (!result.ok || !cards) return result;
    const card = cardOf(report, result.swipe, cards);
    return card ? { ...result, card } : result;
  } finally {
    report.fill(0);
  }
}

/** The card of the first decoded track that holds an account number. */
function cardOf(report: Uint8Array, swipe: SwipeResult, cards: CardKeys): CardKey | undefined {
  for (let i = 0; i < 2; i++) {
    const track = swipe.tracks[i]!;
    if (track.status !== 'ok') continue;
    const offset = MAGTEK_TRACK_OFFSETS[i]!;
    const card = cards.of(accountDigits(report.subarray(offset, offset + track.length)));
    if (card) return card;
  }
  return undefined;
}

function classifyTrack(status: number, length: number, firstChar: number, index: number): TrackResult {
  if (status & 0x01) return { status: 'decode_error', length: 0 };
  if (length === 0) return { status: 'empty', length: 0 };
  // A length past the field is a malformed report: as unusable as a decode error.
  if (length > MAGTEK_TRACK_FIELD) return { status: 'decode_error', length: 0 };
  if (!START_SENTINELS[index]!.includes(firstChar)) return { status: 'no_start_sentinel', length };
  return { status: 'ok', length };
}
