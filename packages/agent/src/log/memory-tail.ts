import type { LogStorage, LogTailSnapshot } from '../log-line/tail-snapshot.js';

export const DEFAULT_TAIL_LINES = 1000;
export const DEFAULT_TAIL_BYTES = 1 << 20;

/**
 * The latest lines logged, bounded in count and bytes, each marked written to the file or not.
 *
 * Invariant: the unwritten lines are the newest ones (a suffix): while the disk fails every new line is
 * unwritten, and they are written back oldest first. A line that leaves the tail unwritten is counted
 * in `lost`.
 */
export class LogMemoryTail {
  private readonly lines: string[] = [];
  private bytes = 0;
  private unwrittenCount = 0;
  private lostCount = 0;

  constructor(
    private readonly maxLines = DEFAULT_TAIL_LINES,
    private readonly maxBytes = DEFAULT_TAIL_BYTES,
  ) {
    if (!Number.isInteger(maxLines) || maxLines < 1) throw new Error(`log tail lines must be a positive integer, got ${maxLines}`);
    if (!Number.isInteger(maxBytes) || maxBytes < 1) throw new Error(`log tail bytes must be a positive integer, got ${maxBytes}`);
  }

  /** Adds a line, not written yet; the oldest lines leave when a bound is passed (the newest always stays). */
  push(line: string): void {
    this.lines.push(line);
    this.bytes += Buffer.byteLength(line);
    this.unwrittenCount++;
    while (this.lines.length > 1 && (this.lines.length > this.maxLines || this.bytes > this.maxBytes)) {
      const oldest = this.lines.shift()!;
      this.bytes -= Buffer.byteLength(oldest);
      if (this.unwrittenCount > this.lines.length) {
        this.unwrittenCount--;
        this.lostCount++;
      }
    }
  }

  /** The oldest unwritten line, the next to write. */
  nextUnwritten(): string | undefined {
    return this.unwrittenCount === 0 ? undefined : this.lines[this.lines.length - this.unwrittenCount];
  }

  /** The line `nextUnwritten` gave is in the file now. */
  markWritten(): void {
    if (this.unwrittenCount > 0) this.unwrittenCount--;
  }

  get unwritten(): number {
    return this.unwrittenCount;
  }

  /** Lines lost since the last call (the count starts again). */
  takeLost(): number {
    const lost = this.lostCount;
    this.lostCount = 0;
    return lost;
  }

  snapshot(storage: LogStorage, error: Error | undefined): LogTailSnapshot {
    return {
      storage,
      lines: this.lines.map((line) => line.replace(/\n$/, '')),
      unwritten: this.unwrittenCount,
      lost: this.lostCount,
      ...(error ? { error: error.message } : {}),
    };
  }
}
