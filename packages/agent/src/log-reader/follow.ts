import { stat } from 'node:fs/promises';
import type { Clock } from 'posdiag-protocol';
import { DirWakeup } from './dir-wakeup.js';
import { compileFilter, lineSink, type LogEntry, type LogReadStats } from './entry.js';
import { currentLogPath, logFilesOldestFirst } from '../log-line/log-files.js';
import { LogFileTail } from './log-tail.js';
import type { ReadLogOptions } from './reader.js';

export interface FollowLogOptions extends ReadLogOptions {
  /** Polling interval, the fallback for missed fs.watch events; default 1000 ms. */
  pollMs?: number;
  /** Also wake on fs.watch events; default true. */
  watch?: boolean;
  /** Drives the polling; default real timers that keep the process alive (following is its whole job). */
  clock?: Clock;
}

const keepAliveClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * `tail -F` for the diagnostic log: calls `onEntry` for every matching entry already in the files (oldest
 * first), then for every line appended, until `signal` aborts; resolves with the read statistics.
 *
 * Files are tracked by inode, so rotation (ours, or logrotate renaming the file and the writer reopening
 * it) is followed in order and no line is delivered twice: when `posdiag.log` is a new file, the file we
 * were reading and every file rotated after it are read to their end first. The newest of those stays
 * open until the new file has data, because the writer may append to it until it reopens. Lines are
 * lost only if more than `keep` rotations happen between two reads. A file truncated in place
 * (copytruncate) is read again from its start.
 */
export async function followLog(options: FollowLogOptions, onEntry: (entry: LogEntry) => void, signal: AbortSignal): Promise<LogReadStats> {
  const stats: LogReadStats = { malformed: 0 };
  const toEntry = lineSink(compileFilter(options), stats);
  const deliver = (line: string) => {
    const entry = toEntry(line);
    if (entry) onEntry(entry);
  };
  const finish = async (tail: LogFileTail) => {
    try {
      for await (const line of tail.linesToEnd()) deliver(line);
    } finally {
      await tail.close();
    }
  };
  const path = currentLogPath(options.dir);
  const wakeup = new DirWakeup(options.dir, options.clock ?? keepAliveClock, options.pollMs ?? 1000, signal, options.watch ?? true);
  // Opened before the history is listed: if a rotation renames it meanwhile, the history stops before
  // it, and it and the files rotated after it are read by the switch below.
  let current = await LogFileTail.open(path);
  let previous: LogFileTail | undefined;
  try {
    const history = current && { ino: current.ino, wasCurrent: (await inodeOf(path)) === current.ino };
    for (const tail of await rotatedBetween(options.dir, undefined, history)) await finish(tail);
    while (!signal.aborted) {
      if (previous && current && (await current.hasData())) {
        // Data in the new file means the writer has reopened: the old file is complete.
        await finish(previous);
        previous = undefined;
      }
      if (previous) for await (const line of previous.newLines()) deliver(line);
      if (current) for await (const line of current.newLines()) deliver(line);
      const next = (await inodeOf(path)) === current?.ino ? undefined : await LogFileTail.open(path);
      if (!next) {
        await wakeup.wait();
        continue;
      }
      if (current) {
        if (previous) await finish(previous);
        const chain = [current, ...(await rotatedBetween(options.dir, current.ino, { ino: next.ino, wasCurrent: true }))];
        for (const tail of chain.slice(0, -1)) await finish(tail);
        previous = chain.at(-1);
      }
      current = next;
    }
    return stats;
  } finally {
    wakeup.close();
    await current?.close();
    await previous?.close();
  }
}

/**
 * The rotated files strictly between the file with inode `after` (from the oldest when undefined) and
 * the file `before` (to the newest when undefined), opened, oldest first. Files are ordered by their
 * rotation number, so when an end is not among them its place is unknown, and lines are lost rather than
 * repeated or reordered:
 * - `after` absent (rotated away and deleted): nothing;
 * - `before` absent: up to the newest if it was `posdiag.log` when looked at before this listing (every
 *   rotated file is older), else nothing (it was rotated away and deleted: every remaining one is newer).
 */
async function rotatedBetween(dir: string, after: number | undefined, before: { ino: number; wasCurrent: boolean } | undefined): Promise<LogFileTail[]> {
  const all = await openRotatedSnapshot(dir);
  const afterAt = after === undefined ? -1 : all.findIndex((tail) => tail.ino === after);
  const beforeAt = before === undefined ? -1 : all.findIndex((tail) => tail.ino === before.ino);
  const missing = (after !== undefined && afterAt < 0) || (before !== undefined && beforeAt < 0 && !before.wasCurrent);
  const wanted = missing ? [] : all.slice(afterAt + 1, beforeAt < 0 ? all.length : beforeAt);
  await Promise.all(all.filter((tail) => !wanted.includes(tail)).map((tail) => tail.close()));
  return wanted;
}

/**
 * Every rotated file, opened, oldest first, as one consistent picture even while the writer rotates:
 * each name must still point at the file opened through it after all were opened, and the listing must
 * not have changed; otherwise it tries again (a rotation takes microseconds).
 */
async function openRotatedSnapshot(dir: string): Promise<LogFileTail[]> {
  const rotatedNames = async () => (await logFilesOldestFirst(dir)).filter((file) => file !== currentLogPath(dir));
  for (;;) {
    const names = await rotatedNames();
    const tails = await Promise.all(names.map((name) => LogFileTail.open(name)));
    const inodes = await Promise.all(names.map(inodeOf));
    const again = await rotatedNames();
    const opened = tails.filter((tail) => tail !== undefined);
    const stable = again.join('\n') === names.join('\n') && tails.every((tail, i) => tail !== undefined && tail.ino === inodes[i]);
    if (stable) return opened;
    await Promise.all(opened.map((tail) => tail.close()));
  }
}

async function inodeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).ino;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
