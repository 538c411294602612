import type { FrameParser } from '../transports/serial.js';

/**
 * Splits a modem's byte stream into text lines. AT framing is `\r\n<line>\r\n`, but echo ends with a
 * bare `\r` and some firmware sends bare `\n`: either ends a line. Blank lines carry nothing and are
 * dropped, so every frame is a non-empty, trimmed line. Bytes are read as latin1 (one char per byte),
 * so a line split across chunks never breaks a multi-byte character.
 */
export class AtLineParser implements FrameParser<string> {
  private partial = '';

  push(chunk: Uint8Array): string[] {
    const parts = (this.partial + Buffer.from(chunk).toString('latin1')).split(/[\r\n]/);
    this.partial = parts.pop() ?? '';
    return parts.map((line) => line.trim()).filter((line) => line.length > 0);
  }

  reset(): void {
    this.partial = '';
  }
}
