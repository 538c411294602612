import { describe, expect, it } from 'vitest';
import { decodeSeqMark, encodeSeqMark } from '../../../src/report/outbox/seq-mark.js';

describe('outbox seq mark', () => {
  it('is 30 bytes whatever the seq, and reads back', () => {
    for (const seq of [0, 1, 42, 2 ** 40, Number.MAX_SAFE_INTEGER]) {
      const bytes = encodeSeqMark(seq);
      expect(bytes).toHaveLength(30);
      expect(decodeSeqMark(bytes)).toBe(seq);
    }
    expect(encodeSeqMark(7).toString('latin1')).toMatch(/^00000000000000000007 [0-9a-f]{8}\n$/);
  });

  it('reads nothing from a torn, altered, empty or foreign file', () => {
    const good = encodeSeqMark(1234);
    expect(decodeSeqMark(good.subarray(0, 20))).toBeUndefined();
    const altered = Buffer.from(good);
    altered[19] = 0x35; // ...1235, checksum of ...1234
    expect(decodeSeqMark(altered)).toBeUndefined();
    expect(decodeSeqMark(Buffer.alloc(30))).toBeUndefined();
    expect(decodeSeqMark(Buffer.alloc(0))).toBeUndefined();
    expect(decodeSeqMark(Buffer.from('{"seq": 99}\n'))).toBeUndefined();
  });
});
