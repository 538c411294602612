/**
 * The last `size` swipes, each forgotten once older than `maxAgeMs`: the failure rate the
 * `card_reader.read_errors_high` rule judges. The age limit keeps a bad morning from condemning the
 * reader for days when nobody swipes; the size keeps one busy hour from drowning a trend.
 */
export interface SwipeWindowOptions {
  size: number;
  maxAgeMs: number;
}

export const DEFAULT_SWIPE_WINDOW: SwipeWindowOptions = { size: 10, maxAgeMs: 24 * 3_600_000 };

export class SwipeWindow {
  private entries: { at: number; failed: boolean }[] = [];

  constructor(private readonly options: SwipeWindowOptions = DEFAULT_SWIPE_WINDOW) {
    if (!(options.size >= 1) || !(options.maxAgeMs > 0)) throw new Error('swipe window: size >= 1 and maxAgeMs > 0 required');
  }

  record(at: number, failed: boolean): void {
    this.entries.push({ at, failed });
    if (this.entries.length > this.options.size) this.entries.shift();
  }

  /** Swipes and failures still in the window at `now`. */
  counts(now: number): { swipes: number; failures: number } {
    const oldest = now - this.options.maxAgeMs;
    this.entries = this.entries.filter((e) => e.at > oldest);
    return { swipes: this.entries.length, failures: this.entries.filter((e) => e.failed).length };
  }
}
