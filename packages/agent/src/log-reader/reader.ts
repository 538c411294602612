import { compileFilter, lineSink, type LogEntry, type LogFilter, type LogReadStats } from './entry.js';
import { logFilesOldestFirst } from '../log-line/log-files.js';
import { LogFileTail } from './log-tail.js';

export { followLog, type FollowLogOptions } from './follow.js';
export { formatEntry, type FormatOptions } from './format.js';
export { parseSince } from './since.js';
export type { LogEntry, LogFilter, LogReadStats } from './entry.js';

export interface ReadLogOptions extends LogFilter {
  /** The log directory (config `paths.logs`). */
  dir: string;
}

/** The entries of a read; `stats.malformed` counts skipped lines and is final once iteration ends. */
export interface LogRead extends AsyncIterable<LogEntry> {
  readonly stats: LogReadStats;
}

/**
 * The matching entries of every log file, oldest first: `posdiag.log.<keep>` … `.1`, then `posdiag.log`.
 * Lines that are not log entries are skipped and counted. Throws at once on an invalid filter.
 * (A rotation during the read can skip or repeat one file's lines; `followLog` tracks rotation.)
 */
export function readLog(options: ReadLogOptions): LogRead {
  const stats: LogReadStats = { malformed: 0 };
  const toEntry = lineSink(compileFilter(options), stats);
  return {
    stats,
    async *[Symbol.asyncIterator]() {
      for (const path of await logFilesOldestFirst(options.dir)) {
        const tail = await LogFileTail.open(path);
        if (!tail) continue; // rotated away since the listing
        try {
          for await (const line of tail.linesToEnd()) {
            const entry = toEntry(line);
            if (entry) yield entry;
          }
        } finally {
          await tail.close();
        }
      }
    },
  };
}
