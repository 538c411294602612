import { compileFilter, lineSink, type LogEntry, type LogReadStats } from './entry.js';
import type { LogTailSnapshot } from '../log-line/tail-snapshot.js';
import { readLog, type LogRead, type ReadLogOptions } from './reader.js';

export interface TailedReadStats extends LogReadStats {
  /** Entries that came from the daemon's memory, not from the files. */
  fromMemory: number;
  /** Why the files could not be read (then the whole memory tail stands in). */
  unreadable?: string;
}

export interface TailedLogRead extends AsyncIterable<LogEntry> {
  /** Final once iteration ends. */
  readonly stats: TailedReadStats;
}

/**
 * `readLog`, then the lines the daemon holds in memory that are not in the files: those it could not
 * write (they are newer than every line in the files, so the order holds), or, when the files cannot
 * be read, its whole tail. A line the daemon wrote out between handing over its tail and this read is
 * in the files and shown from there only: memory lines are matched against the files' lines, once each.
 * (So a memory line byte-identical to a line already in the files, same millisecond and all, is shown
 * once: the price of never showing one twice.)
 */
export function readLogWithTail(options: ReadLogOptions, tail: LogTailSnapshot | undefined): TailedLogRead {
  const stats: TailedReadStats = { malformed: 0, fromMemory: 0 };
  return {
    stats,
    async *[Symbol.asyncIterator]() {
      const files: LogRead = readLog(options);
      if (!tail) {
        try {
          yield* files;
        } finally {
          stats.malformed = files.stats.malformed;
        }
        return;
      }
      const toEntry = lineSink(compileFilter(options), stats);
      const firstUnwritten = tail.lines.length - tail.unwritten;
      const all = tail.lines.flatMap((line, i) => {
        const entry = toEntry(line);
        return entry ? [{ entry, key: key(entry), unwritten: i >= firstUnwritten }] : [];
      });
      const inMemory = new Set(all.map((held) => held.key));
      const inFiles = new Map<string, number>();
      try {
        for await (const entry of files) {
          const k = key(entry);
          if (inMemory.has(k)) inFiles.set(k, (inFiles.get(k) ?? 0) + 1);
          yield entry;
        }
      } catch (err) {
        stats.unreadable = (err as Error).message;
      }
      stats.malformed += files.stats.malformed;
      for (const held of all) {
        if (stats.unreadable === undefined && !held.unwritten) continue;
        const seen = inFiles.get(held.key) ?? 0;
        if (seen > 0) {
          inFiles.set(held.key, seen - 1);
          continue;
        }
        stats.fromMemory++;
        yield held.entry;
      }
    },
  };
}

/** Equal for the same line read from a file or from memory (both parsed the same way). */
function key(entry: LogEntry): string {
  return JSON.stringify(entry);
}
