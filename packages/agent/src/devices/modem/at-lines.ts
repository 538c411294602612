import type { FrameParser } from '../../drivers/transports/serial.js';

/** Longer than any answer a terminal asks for (an AT+COPS=? list included); a longer run is noise. */
export const MAX_AT_LINE = 2048;

/** Commands and answers are IRA text (27.007; UCS2 strings travel as hex digits): printable ASCII and tab. */
const NOT_AT_TEXT = /[^\x20-\x7e\t]/;

/**
 * Splits a modem's byte stream into text lines. AT framing is `\r\n<line>\r\n`, but echo ends with a
 * bare `\r` and some firmware sends bare `\n`: either ends a line. Blank lines carry nothing and are
 * dropped, so every frame is a non-empty, trimmed line. Bytes are read as latin1 (one char per byte),
 * so a line split across chunks never breaks a multi-byte character.
 *
 * Noise is not a line: a line holding a byte that is not AT text, or growing past MAX_AT_LINE (the
 * rest of it is dropped up to its end), is discarded and its bytes are reported to `onNoise`.
 */
export class AtLineParser implements FrameParser<string> {
  private partial = '';
  /** Dropping the rest of a line that grew past MAX_AT_LINE. */
  private overlong = false;

  constructor(private readonly onNoise: (bytes: number) => void = () => {}) {}

  push(chunk: Uint8Array): string[] {
    const parts = (this.partial + Buffer.from(chunk).toString('latin1')).split(/[\r\n]/);
    this.partial = parts.pop() ?? '';
    const lines: string[] = [];
    for (const part of parts) {
      if (this.overlong || part.length > MAX_AT_LINE || NOT_AT_TEXT.test(part)) this.onNoise(part.length);
      else if (part.trim().length > 0) lines.push(part.trim());
      this.overlong = false;
    }
    if (this.partial.length > MAX_AT_LINE) {
      this.onNoise(this.partial.length);
      this.partial = '';
      this.overlong = true;
    }
    return lines;
  }

  reset(): void {
    this.partial = '';
    this.overlong = false;
  }
}
