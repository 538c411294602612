import type { CardKey } from './card-keys.js';
import { cardVerdict, type CardVerdict } from './card-verdict.js';

/**
 * The last `size` swipes, each forgotten once older than `maxAgeMs`: the failure rate the
 * `card_reader.read_errors_high` rule judges. The age limit keeps a bad morning from condemning the
 * reader for days when nobody swipes; the size keeps one busy hour from drowning a trend. Each swipe
 * keeps the card it came from (an opaque in-memory CardKey, when a track told it): failures
 * concentrated on one card that others read fine are that card's, not the reader's (card-verdict.ts).
 */
export interface SwipeWindowOptions {
  size: number;
  maxAgeMs: number;
}

export const DEFAULT_SWIPE_WINDOW: SwipeWindowOptions = { size: 10, maxAgeMs: 24 * 3_600_000 };

export class SwipeWindow {
  private entries: { at: number; failed: boolean; card: CardKey | undefined }[] = [];

  constructor(private readonly options: SwipeWindowOptions = DEFAULT_SWIPE_WINDOW) {
    if (!(options.size >= 1) || !(options.maxAgeMs > 0)) throw new Error('swipe window: size >= 1 and maxAgeMs > 0 required');
  }

  record(at: number, failed: boolean, card?: CardKey): void {
    this.entries.push({ at, failed, card });
    if (this.entries.length > this.options.size) this.entries.shift();
  }

  /**
   * Swipes and the reader's failures still in the window at `now` (a damaged card's are not the
   * reader's), and the verdict on them.
   */
  counts(now: number): { swipes: number; failures: number; verdict: CardVerdict } {
    const oldest = now - this.options.maxAgeMs;
    this.entries = this.entries.filter((e) => e.at > oldest);
    const verdict = cardVerdict(this.entries);
    const failures = this.entries.filter((e) => e.failed).length - (verdict.kind === 'damaged_card' ? verdict.failures : 0);
    return { swipes: this.entries.length, failures, verdict };
  }
}
