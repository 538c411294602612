import { z } from 'zod';
import type { ReportCursor } from './store/store.js';

/**
 * The `after` of `/api/reports` paging: where the previous page ended, as an opaque token (base64url of
 * `[terminal, seq, arrival]`) that clients copy from the `Link: <…>; rel="next"` header and never build.
 */
const cursorTuple = z.tuple([z.string().min(1), z.number().int().min(0), z.number().int().min(0)]);

export function encodeReportCursor(cursor: ReportCursor): string {
  return Buffer.from(JSON.stringify([cursor.terminal, cursor.seq, cursor.arrival])).toString('base64url');
}

/** The cursor in `token`, or undefined when it is not one this hub made. */
export function decodeReportCursor(token: string): ReportCursor | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const parsed = cursorTuple.safeParse(value);
  return parsed.success ? { terminal: parsed.data[0], seq: parsed.data[1], arrival: parsed.data[2] } : undefined;
}
