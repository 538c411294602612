import type { InputReportLayout } from './report-descriptor.js';

/**
 * Input reports cut from a byte stream by the lengths the report descriptor declares: what a hidraw
 * node that is not a character device (a FIFO standing in for one) needs, where reads do not keep
 * report boundaries. A real hidraw node returns one report per read and needs no framer. Pure.
 *
 * Each report comes out in a buffer of its own, without its Report ID byte; the framer's own copy of
 * the bytes is zeroed as soon as they are consumed (they may hold card data). Bytes that cannot be a
 * report (an unknown Report ID: nothing after it can be trusted to line up) come out whole as `garbage`,
 * to be classified as the malformed report they are, and zeroed by whoever classifies them.
 */
export type Framed = { report: Buffer } | { garbage: Buffer };

export class ReportFramer {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly layout: InputReportLayout) {
    if (layout.inputBytes.size === 0) throw new RangeError('the report descriptor declares no input report');
  }

  push(chunk: Uint8Array): Framed[] {
    const joined = Buffer.concat([this.pending, chunk]);
    this.pending.fill(0);
    const out: Framed[] = [];
    let at = 0;
    for (;;) {
      const left = joined.length - at;
      if (left === 0) break;
      const prefix = this.layout.numbered ? 1 : 0;
      const length = this.layout.inputBytes.get(this.layout.numbered ? joined[at]! : 0);
      if (length === undefined) {
        out.push({ garbage: Buffer.from(joined.subarray(at)) });
        at = joined.length;
        break;
      }
      if (left < prefix + length) break;
      out.push({ report: Buffer.from(joined.subarray(at + prefix, at + prefix + length)) });
      at += prefix + length;
    }
    this.pending = Buffer.from(joined.subarray(at));
    joined.fill(0);
    return out;
  }

  /** Zeroes what is held of an incomplete report. */
  clear(): void {
    this.pending.fill(0);
    this.pending = Buffer.alloc(0);
  }
}
