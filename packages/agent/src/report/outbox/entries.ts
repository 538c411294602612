import { z } from 'zod';
import { reportSchema } from 'posdiag-protocol';
import { encodeFrame } from './frame.js';

/**
 * What the outbox log holds, one entry per frame, replayed in order at open:
 * - `h` header: only as the first entry of a compacted log; carries what the dropped reports leave
 *   behind (the seq high-water mark, the dropped seqs not yet durably handed out, the total).
 * - `r` a recorded report; seqs only grow along the log.
 * - `a` the ack of the report with that seq.
 * - `k` dropped seqs handed to a heartbeat (`takeDropped`); they leave the dropped list.
 */
const seq = z.number().int().positive();

export const logEntrySchema = z.discriminatedUnion('t', [
  z.strictObject({
    t: z.literal('h'),
    lastSeq: z.number().int().nonnegative(),
    dropped: z.array(seq),
    droppedTotal: z.number().int().nonnegative(),
  }),
  z.strictObject({ t: z.literal('r'), r: reportSchema }),
  z.strictObject({ t: z.literal('a'), seq }),
  z.strictObject({ t: z.literal('k'), seqs: z.array(seq) }),
]);
export type LogEntry = z.infer<typeof logEntrySchema>;

export function encodeEntry(entry: LogEntry): Buffer {
  return encodeFrame(Buffer.from(JSON.stringify(entry), 'utf8'));
}

/** The entry a frame's payload holds, or null if it is not one (damage the checksum missed, or a bug). */
export function parseEntry(payload: Buffer): LogEntry | null {
  let json: unknown;
  try {
    json = JSON.parse(payload.toString('utf8'));
  } catch {
    return null;
  }
  const parsed = logEntrySchema.safeParse(json);
  return parsed.success ? parsed.data : null;
}
