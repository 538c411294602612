import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { silentLogger } from '../../log/logger.js';
import type { OutboxStats } from '../outbox-contract.js';
import { nodeOutboxFs } from './fs-seam.js';
import { LogState, OUTBOX_LOG_FILE } from './log-state.js';

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

async function exists(path: string): Promise<boolean> {
  try {
    await fsp.stat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
