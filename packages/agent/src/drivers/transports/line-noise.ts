import type { Readings } from '../../core/readings.js';
import type { Logger } from '../../log/logger.js';

/**
 * What a serial codec had to throw away: bytes that are not a valid frame (EMI on the cable, a baud
 * rate mismatch, a device babbling). Noise is data, never a fault of the device: it is counted per
 * poll window and reported as the reading `<reading>` (bytes discarded since the previous poll), from
 * which the rules raise `<device>.line_noise` when it persists.
 *
 * The log hears of it once per episode, never per byte: a warning when noise appears on a clean line,
 * and an info line with the episode's total once a whole poll window has passed without any.
 */
export class LineNoise {
  private window = 0;
  private episode = 0;
  private total = 0;

  constructor(
    /** The reading's name, e.g. `printer.line_errors`. */
    private readonly reading: string,
    /** What a valid frame is on this line, for the warning: "ESC/POS replies". */
    private readonly frames: string,
    private readonly log: Logger,
  ) {}

  /** `bytes` were discarded just now. */
  count(bytes: number): void {
    if (bytes <= 0) return;
    if (this.episode === 0) this.log.warn({ reading: this.reading, bytes }, `line noise: discarding bytes that are not ${this.frames}`);
    this.window += bytes;
    this.episode += bytes;
    this.total += bytes;
  }

  /** A mark for `since`: whether noise arrived during an exchange tells whether its answer can be believed. */
  mark(): number {
    return this.total;
  }

  /** Bytes discarded since `mark` was taken. */
  since(mark: number): number {
    return this.total - mark;
  }

  /** The reading as it stands in the current poll window (for observations made between polls). */
  current(): Readings {
    return { [this.reading]: this.window };
  }

  /** Ends the poll window and returns its reading; a clean window ends the episode. */
  closeWindow(): Readings {
    const readings = this.current();
    if (this.window === 0 && this.episode > 0) {
      this.log.info({ reading: this.reading, bytes: this.episode }, `line clean again after ${this.episode} bytes of noise`);
      this.episode = 0;
    }
    this.window = 0;
    return readings;
  }
}
