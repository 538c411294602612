import iconv from 'iconv-lite';

/** A receipt the emulated printer put on paper: its text lines, and whether it was cut off. */
export interface PrintedReceipt {
  lines: string[];
  cut: boolean;
}

/**
 * The emulated printer's paper: text bytes become lines at LF (decoded as GB18030, of which ASCII is a
 * subset), a cut closes the receipt. What tests read to assert that a receipt arrived.
 */
export class PaperRoll {
  private readonly done: PrintedReceipt[] = [];
  private lines: string[] = [];
  private line: number[] = [];

  /** Receipts cut so far, oldest first, then the one still on the roll (if it has any line). */
  get receipts(): readonly PrintedReceipt[] {
    return this.lines.length > 0 ? [...this.done, { lines: [...this.lines], cut: false }] : this.done;
  }

  text(b: number): void {
    this.line.push(b);
  }

  /** LF, or a feed: the buffered line is printed. */
  endLine(): void {
    this.lines.push(iconv.decode(Buffer.from(this.line), 'gb18030'));
    this.line = [];
  }

  /** ESC d: prints a pending partial line; the fed blank lines are not recorded. */
  feed(): void {
    if (this.line.length > 0) this.endLine();
  }

  cut(): void {
    this.feed();
    this.done.push({ lines: this.lines, cut: true });
    this.lines = [];
  }

  /** ESC @ clears the print buffer: a partial line is lost, printed lines stay on paper. */
  clearBuffer(): void {
    this.line = [];
  }
}
