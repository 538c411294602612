import { z } from 'zod';

/** Where the diagnostic log's lines go now: its file, or (the disk failing) only the memory tail. */
export type LogStorage = 'disk' | 'memory';

/**
 * The writer's memory tail as the daemon hands it out (control method `log_tail`, the bundle), so
 * `posdiag log` shows recent lines when the log file cannot be written or read.
 */
export const logTailSnapshotSchema = z.object({
  storage: z.enum(['disk', 'memory']),
  /** The latest lines logged (scrubbed JSON lines, without their newline), oldest first. */
  lines: z.array(z.string()),
  /** How many of `lines`, the newest ones, are not in the file (yet). */
  unwritten: z.number().int().nonnegative(),
  /** Lines never written that have left the tail since the disk failed: lost for good. */
  lost: z.number().int().nonnegative(),
  /** Why the file cannot be written, while `storage` is memory. */
  error: z.string().optional(),
});
export type LogTailSnapshot = z.infer<typeof logTailSnapshotSchema>;
