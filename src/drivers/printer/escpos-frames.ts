import { isAsbBody, isAsbHeader } from './escpos-asb.js';
import { isStatusReply } from './escpos-status.js';

/**
 * Streaming parser for what an ESC/POS printer sends back on a serial line. Push bytes as they arrive
 * (in any chunking), get frames out.
 *
 * Classification by fixed bits (protocols.md §1, "Telling replies apart"):
 * - DLE EOT reply `0xx1xx10` → one `status` frame;
 * - ASB header `0xx1xx00` followed by three `0xx0xxxx` bytes → one `asb` frame;
 * - XON 0x11 / XOFF 0x13 are flow control, dropped even between ASB bytes (the printer may send XOFF there);
 * - anything else is `noise`.
 * Resynchronisation: a byte that cannot continue an ASB packet turns the partial packet into noise and
 * is then classified afresh, so one lost byte never swallows a following reply.
 */
export type EscPosFrame =
  | { type: 'status'; byte: number }
  | { type: 'asb'; packet: Buffer }
  | { type: 'noise'; bytes: Buffer };

const XON = 0x11;
const XOFF = 0x13;

export class EscPosFrameParser {
  private partialAsb: number[] = [];

  push(chunk: Uint8Array): EscPosFrame[] {
    const frames: EscPosFrame[] = [];
    let noise: number[] = [];
    const flushNoise = () => {
      if (noise.length > 0) frames.push({ type: 'noise', bytes: Buffer.from(noise) });
      noise = [];
    };
    for (const b of chunk) {
      if (b === XON || b === XOFF) continue;
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
      } else {
        noise.push(b);
      }
    }
    flushNoise();
    return frames;
  }

  /** Forgets a partial packet, e.g. after the line was reopened. */
  reset(): void {
    this.partialAsb = [];
  }
}
