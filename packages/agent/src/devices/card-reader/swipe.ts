/**
 * What a swipe is to posdiag: per-track status and length, the encode type, and one outcome. Never the
 * track text. This is the only shape card data leaves a codec in (SPEC §8; protocols.md §5).
 */

/** One track as read: `ok` decoded with its sentinels, `empty` nothing on it, the rest failures. */
export type TrackStatus = 'ok' | 'empty' | 'decode_error' | 'no_start_sentinel';

export interface TrackResult {
  status: TrackStatus;
  /** Characters the reader delivered for the track (0 on error or empty). */
  length: number;
}

/** MagTek's card encode type byte; serial readers do not say, hence `unknown`. */
export type EncodeType = 'iso' | 'aamva' | 'blank' | 'other' | 'undetermined' | 'unknown';

export type SwipeOutcome = 'good' | 'lrc_or_parity_error' | 'no_start_sentinel' | 'blank_card' | 'partial';

export interface SwipeResult {
  outcome: SwipeOutcome;
  /** Tracks 1, 2 and 3, in that order. */
  tracks: [TrackResult, TrackResult, TrackResult];
  encodeType: EncodeType;
}

export const FAILED_TRACK: ReadonlySet<TrackStatus> = new Set(['decode_error', 'no_start_sentinel']);

/**
 * One outcome for the whole swipe:
 * - `blank_card`: the reader says blank, or no track holds anything and none failed;
 * - `good`: at least one track decoded and none failed;
 * - `partial`: some tracks decoded, others failed;
 * - otherwise the failure seen: an LRC / parity (decode) error wins over a missing start sentinel.
 */
export function swipeOutcome(tracks: readonly TrackResult[], encodeType: EncodeType): SwipeOutcome {
  const ok = tracks.some((t) => t.status === 'ok');
  const failed = tracks.some((t) => FAILED_TRACK.has(t.status));
  if (encodeType === 'blank' || (!ok && !failed)) return 'blank_card';
  if (ok) return failed ? 'partial' : 'good';
  return tracks.some((t) => t.status === 'decode_error') ? 'lrc_or_parity_error' : 'no_start_sentinel';
}

/** A swipe counts as a good read only when every track that held data decoded cleanly. */
export function isGoodRead(swipe: SwipeResult): boolean {
  return swipe.outcome === 'good';
}

/** `ok/empty/decode_error` style summary for logs and the interactive check, e.g. "t1=ok t2=ok t3=empty". */
export function describeTracks(swipe: SwipeResult): string {
  return swipe.tracks.map((t, i) => `t${i + 1}=${t.status}${t.length ? `(${t.length})` : ''}`).join(' ');
}
