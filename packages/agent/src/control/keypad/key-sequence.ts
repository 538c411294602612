import { EV_KEY, KEY_PRESS, type InputEvent } from './input-event.js';

/**
 * Recognises a key sequence typed within `withinMs` (e.g. F1 F1 ENTER): only key presses count;
 * releases, autorepeats and non-key events are ignored. A wrong key restarts the match (and counts as
 * a first key when it is one).
 */
export class KeySequenceMatcher {
  private matched = 0;
  private startedAt = 0;

  constructor(
    private readonly sequence: readonly number[],
    private readonly withinMs: number,
  ) {
    if (sequence.length === 0) throw new Error('a key sequence needs at least one key');
  }

  /** True when `event` completes the sequence. */
  push(event: InputEvent): boolean {
    if (event.type !== EV_KEY || event.value !== KEY_PRESS) return false;
    if (this.matched > 0 && event.timeMs - this.startedAt > this.withinMs) this.matched = 0;
    if (event.code !== this.sequence[this.matched]) this.matched = 0;
    if (event.code === this.sequence[this.matched]) {
      if (this.matched === 0) this.startedAt = event.timeMs;
      this.matched++;
    }
    if (this.matched === this.sequence.length) {
      this.matched = 0;
      return true;
    }
    return false;
  }
}
