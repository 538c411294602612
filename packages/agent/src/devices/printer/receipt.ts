import iconv from 'iconv-lite';

/**
 * ESC/POS receipt bytes (pure, byte exact): ESC @ (initialise), text lines each ended by LF, a feed
 * (ESC d n) and a partial cut (GS V 1).
 *
 * Text encoding: a line that is plain ASCII is sent as ASCII. A line with anything else is sent in
 * GB18030, the encoding Chinese thermal printers expect, inside FS & … FS . (Chinese character mode on,
 * then off), so a printer whose default mode is single-byte still prints it. GB18030 never produces
 * bytes below 0x30 after its lead byte (0x81-0xFE), so encoded text can never be mistaken for a command.
 */

const ESC_INIT = [0x1b, 0x40];
const FS_CHINESE_ON = [0x1c, 0x26];
const FS_CHINESE_OFF = [0x1c, 0x2e];
const LF = 0x0a;
/** Lines fed after the text so the last line clears the cutter (printers put the cutter a few lines above the head). */
export const DEFAULT_FEED_LINES = 4;

export interface ReceiptOptions {
  /** Lines to feed before the cut; default 4. */
  feedLines?: number;
  /** Whether to cut at the end; default true. */
  cut?: boolean;
}

// Control characters inside a line would be ESC/POS commands, so they are replaced.
const CONTROL = /[\u0000-\u001f\u007f]/g;
const isAscii = (text: string) => /^[\u0020-\u007e]*$/.test(text);

/** One line of text, without its LF. */
export function encodeLine(text: string): Buffer {
  const clean = text.replace(CONTROL, ' ');
  if (isAscii(clean)) return Buffer.from(clean, 'ascii');
  return Buffer.concat([Buffer.from(FS_CHINESE_ON), iconv.encode(clean, 'gb18030'), Buffer.from(FS_CHINESE_OFF)]);
}

/** ESC d n: print what is buffered and feed n lines. */
export function feed(lines: number): Buffer {
  if (!Number.isInteger(lines) || lines < 0 || lines > 255) throw new RangeError(`feed lines out of range: ${lines}`);
  return Buffer.from([0x1b, 0x64, lines]);
}

/** GS V 1: partial cut (one point left uncut, so the receipt does not fall). */
export const PARTIAL_CUT = Buffer.from([0x1d, 0x56, 0x01]);

/** ESC/POS default line spacing is 1/6 inch: what one printed or fed line costs in paper. */
const LINE_MM = 25.4 / 6;

/** Paper a receipt uses, in mm: its printed lines plus the feed before the cut (for wear counters). */
export function receiptPaperMm(lines: readonly string[], options: ReceiptOptions = {}): number {
  const printed = lines.flatMap((l) => l.split(/\r?\n/)).length;
  return (printed + (options.feedLines ?? DEFAULT_FEED_LINES)) * LINE_MM;
}

export function encodeReceipt(lines: readonly string[], options: ReceiptOptions = {}): Buffer {
  const parts: Buffer[] = [Buffer.from(ESC_INIT)];
  // A text line may hold several lines; each becomes its own printed line.
  for (const line of lines.flatMap((l) => l.split(/\r?\n/))) parts.push(encodeLine(line), Buffer.from([LF]));
  parts.push(feed(options.feedLines ?? DEFAULT_FEED_LINES));
  if (options.cut ?? true) parts.push(PARTIAL_CUT);
  return Buffer.concat(parts);
}
