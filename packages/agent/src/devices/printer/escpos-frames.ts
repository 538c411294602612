import { isAsbBody, isAsbHeader } from './escpos-asb.js';
import { BLOCK_END, BLOCK_HEADER, isBlockText, MAX_BLOCK_TEXT } from './escpos-identity.js';
import { isStatusReply } from './escpos-status.js';

/**
 * Streaming parser for what an ESC/POS printer sends back on a serial line. Push bytes as they arrive
 * (in any chunking), get frames out.
 *
 * Classification by fixed bits (protocols.md §1, "Telling replies apart"):
 * - DLE EOT reply `0xx1xx10` → one `status` frame;
 * - ASB header `0xx1xx00` followed by three `0xx0xxxx` bytes → one `asb` frame;
 * - while blocks are expected (a GS I 65..69 request is in flight): `5F`, printable text, `00` → one
 *   `block` frame. Only then, because a stray 0x5F on a noisy line would otherwise swallow the status
 *   replies behind it;
 * - XON 0x11 / XOFF 0x13 are flow control, dropped even between ASB bytes (the printer may send XOFF there);
 * - anything else is `noise` (a one-byte GS I 1..3 reply arrives as a one-byte noise frame).
 * Resynchronisation: a byte that cannot continue an ASB packet or a block turns the partial frame into
 * noise and is then classified afresh, so one lost byte never swallows a following reply.
 */
export type EscPosFrame =
  | { type: 'status'; byte: number }
  | { type: 'asb'; packet: Buffer }
  | { type: 'block'; text: string }
  | { type: 'noise'; bytes: Buffer };

const XON = 0x11;
const XOFF = 0x13;

export class EscPosFrameParser {
  private partialAsb: number[] = [];
  private partialBlock: number[] = [];
  private blocksExpected = false;

  /** Whether `5F … 00` blocks are recognised; the driver turns this on around GS I 65..69 requests. */
  expectBlocks(on: boolean): void {
    this.blocksExpected = on;
    if (!on) this.partialBlock = [];
  }

  push(chunk: Uint8Array): EscPosFrame[] {
    const frames: EscPosFrame[] = [];
    let noise: number[] = [];
    const flushNoise = () => {
      if (noise.length > 0) frames.push({ type: 'noise', bytes: Buffer.from(noise) });
      noise = [];
    };
    for (const b of chunk) {
      if (b === XON || b === XOFF) continue;
      if (this.partialBlock.length > 0) {
        if (b === BLOCK_END) {
          flushNoise();
          frames.push({ type: 'block', text: Buffer.from(this.partialBlock.slice(1)).toString('latin1') });
          this.partialBlock = [];
          continue;
        }
        if (isBlockText(b) && this.partialBlock.length <= MAX_BLOCK_TEXT) {
          this.partialBlock.push(b);
          continue;
        }
        noise.push(...this.partialBlock);
        this.partialBlock = [];
      }
      if (this.partialAsb.length > 0) {
        if (isAsbBody(b)) {
          this.partialAsb.push(b);
          if (this.partialAsb.length === 4) {
            flushNoise();
            frames.push({ type: 'asb', packet: Buffer.from(this.partialAsb) });
            this.partialAsb = [];
          }
          continue;
        }
        noise.push(...this.partialAsb);
        this.partialAsb = [];
      }
      if (isStatusReply(b)) {
        flushNoise();
        frames.push({ type: 'status', byte: b });
      } else if (isAsbHeader(b)) {
        this.partialAsb = [b];
      } else if (b === BLOCK_HEADER && this.blocksExpected) {
        this.partialBlock = [b];
      } else {
        noise.push(b);
      }
    }
    flushNoise();
    return frames;
  }

  /** Forgets partial frames, e.g. after the line was reopened. */
  reset(): void {
    this.partialAsb = [];
    this.partialBlock = [];
  }
}
