import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { silentLogger } from '../../log/logger.js';
import type { OutboxStats } from '../outbox-contract.js';
import { nodeOutboxFs } from './fs-seam.js';
import { LogState, OUTBOX_LOG_FILE } from './log-state.js';
import { decodeSeqMark, encodeSeqMark, SEQ_MARK_FILE } from './seq-mark.js';

/**
 * The outbox's statistics as its log lies on disk in `dir`, for a look while no daemon holds it
 * (`posdiag status` and `bundle` without a daemon). Opening the outbox would write: make the
 * directory, rewrite the seq mark, cut a torn tail. Run by root, that leaves files the service user
 * cannot write, and a look would change the durable log. This only reads the log (read-only open) and
 * replays it as the outbox's open does, so a torn or corrupt tail is left out of the figures just as
 * the next open cuts it. `storage` is 'disk': what a stopped daemon held in memory is gone.
 *
 * Null when there is no such directory (no outbox was ever made there); rejects when the log is there
 * but cannot be read.
 */
export async function readOutboxStats(dir: string): Promise<OutboxStats | null> {
  const state = new LogState();
  const bytes = await nodeOutboxFs.readFile(join(dir, OUTBOX_LOG_FILE));
  if (bytes) state.replay(bytes, silentLogger);
  else if (!(await exists(dir))) return null;
  return state.stats('disk');
}

/**
 * The last seq the outbox in `dir` handed out, read as its open would (the log's, or the seq mark's when
 * higher) without writing a byte; 0 when there is no outbox there. What a swap file carries, so the spare
 * goes on from the slot's seq instead of starting again at 1.
 */
export async function readOutboxLastSeq(dir: string): Promise<number> {
  const state = new LogState();
  const bytes = await nodeOutboxFs.readFile(join(dir, OUTBOX_LOG_FILE));
  if (bytes) state.replay(bytes, silentLogger);
  const mark = await nodeOutboxFs.readFile(join(dir, SEQ_MARK_FILE)).catch(() => null);
  return Math.max(state.last, (mark && decodeSeqMark(mark)) ?? 0);
}

/** The seq mark of a new, empty outbox in `dir` that goes on after `lastSeq` (its open keeps the higher of log and mark). */
export function seqMarkFor(lastSeq: number): { file: string; bytes: Buffer } {
  return { file: SEQ_MARK_FILE, bytes: encodeSeqMark(lastSeq) };
}

async function exists(path: string): Promise<boolean> {
  try {
    await fsp.stat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
