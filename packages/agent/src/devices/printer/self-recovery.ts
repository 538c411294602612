import type { Readings } from '../../core/readings.js';

/**
 * When to send DLE ENQ (first-line self-recovery from an autocutter or mechanical error).
 *
 * An Epson-style printer keeps reporting the error after its cause is gone until it is told to
 * recover. The cause is known to be gone at best when the merchant has opened and closed the cover
 * (that is how a jam is cleared), so: one attempt as soon as the error is seen with the cover closed
 * (a transient jam), then one more after every cover open → closed while the error lasts. Never while
 * the cover is open, never for an unrecoverable error (that needs a power cycle). The episode ends
 * when the error clears.
 */
export class RecoveryPolicy {
  private attempted = false;
  private coverOpenedSinceAttempt = false;

  /** Feed every status reading in order; true means "send DLE ENQ now". */
  shouldRecover(readings: Readings): boolean {
    if (readings['printer.connected'] !== true) return false;
    const error = readings['printer.cutter_error'] === true || readings['printer.mechanical_error'] === true;
    if (!error) {
      this.attempted = false;
      this.coverOpenedSinceAttempt = false;
      return false;
    }
    if (readings['printer.cover_open'] === true) {
      this.coverOpenedSinceAttempt = true;
      return false;
    }
    if (readings['printer.cover_open'] !== false || readings['printer.unrecoverable_error'] === true) return false;
    if (this.attempted && !this.coverOpenedSinceAttempt) return false;
    this.attempted = true;
    this.coverOpenedSinceAttempt = false;
    return true;
  }
}

/** Whether readings still show an error DLE ENQ is meant to clear. */
export const recoverableErrorRemains = (readings: Readings): boolean =>
  readings['printer.cutter_error'] === true || readings['printer.mechanical_error'] === true;
