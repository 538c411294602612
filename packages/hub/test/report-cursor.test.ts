import { describe, expect, it } from 'vitest';
import { decodeReportCursor, encodeReportCursor } from '../src/report-cursor.js';

describe('report page cursor', () => {
  it('round-trips as an opaque URL-safe token', () => {
    const cursor = { terminal: 'T-0001', seq: 42, arrival: 7 };
    const token = encodeReportCursor(cursor);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeReportCursor(token)).toEqual(cursor);
  });

  it('refuses what this hub did not make', () => {
    const b64 = (text: string) => Buffer.from(text).toString('base64url');
    for (const token of ['', 'a b', '%%%', b64('not json'), b64('{"terminal":"T"}'), b64('["T",-1,2]'), b64('["",1,2]'), b64('["T",1.5,2]'), b64('["T",1,2,3]')]) {
      expect(decodeReportCursor(token)).toBeUndefined();
    }
  });
});
