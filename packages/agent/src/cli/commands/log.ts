import { type CliIo, defineCommand, UsageError } from 'posdiag-protocol/cli';
import { configFlag, loadConfigFlag } from '../config-flag.js';
import { fetchDaemonLogTail } from '../../log-reader/daemon-tail.js';
import { followLog, formatEntry, parseSince, type LogEntry, type LogReadStats } from '../../log-reader/reader.js';
import { parseLogLevel } from '../../log-line/levels.js';
import type { LogTailSnapshot } from '../../log-line/tail-snapshot.js';
import { readLogWithTail } from '../../log-reader/read-with-tail.js';

export const logCommand = defineCommand({
  name: 'log',
  usage: 'posdiag log [--since 10m|ISO] [--level LEVEL] [--device KIND] [--fault CODE] [--kind REPORT] [--follow] [--json] [--config FILE | --dir DIR]',
  summary:
    'Read the local diagnostic log, oldest first: human lines by default, the raw JSON lines with --json.\n' +
    'When the daemon cannot write the log (full or failing disk), the lines it holds in memory follow the files.',
  flags: {
    since: { type: 'string', description: 'only entries from this long ago (30s, 10m, 2h, 1d) or this ISO time on', valueName: '10m|ISO' },
    level: { type: 'string', description: 'minimum level: trace, debug, info, warn, error, fatal', valueName: 'LEVEL' },
    device: { type: 'string', description: 'only entries about this device kind (printer, battery, ...)', valueName: 'KIND' },
    fault: { type: 'string', description: 'only entries about this fault code', valueName: 'CODE' },
    kind: { type: 'string', description: 'only entries about this kind of report, e.g. self_test (each self-test, its level and verdict)', valueName: 'REPORT' },
    follow: { type: 'boolean', description: 'keep printing entries as they are written (follows rotation)', alias: 'f' },
    json: { type: 'boolean', description: 'print the entries as JSON lines' },
    config: configFlag,
    dir: { type: 'string', description: 'read this log directory instead of the config\'s paths.logs', valueName: 'DIR' },
  },
  async run(flags, _positional, io) {
    const config = flags.dir === undefined ? loadConfigFlag(flags.config) : undefined;
    const filter = {
      dir: flags.dir ?? config!.paths.logs,
      ...(flags.since !== undefined ? { since: toUsage(() => parseSince(flags.since!, Date.now())) } : {}),
      ...(flags.level !== undefined ? { level: toUsage(() => parseLogLevel(flags.level!)) } : {}),
      ...(flags.device !== undefined ? { device: flags.device } : {}),
      ...(flags.fault !== undefined ? { fault: flags.fault } : {}),
      ...(flags.kind !== undefined ? { kind: flags.kind } : {}),
    };
    const print = (entry: LogEntry) => io.stdout((flags.json ? JSON.stringify(entry) : formatEntry(entry, { color: io.color })) + '\n');
    let stats: LogReadStats;
    if (flags.follow) {
      stats = await followLog(filter, print, io.signal);
    } else {
      // Only the daemon of the config's log directory is asked: --dir may name a copy from elsewhere.
      const tail = config ? await daemonTail(config.control.socket, io) : undefined;
      const read = readLogWithTail(filter, tail);
      for await (const entry of read) print(entry);
      stats = read.stats;
      if (read.stats.unreadable !== undefined) io.stderr(`posdiag log: cannot read the log files (${read.stats.unreadable}); shown: the daemon's latest lines\n`);
      if (tail && read.stats.fromMemory > 0) io.stderr(fromMemoryNote(read.stats.fromMemory, tail));
    }
    if (stats.malformed > 0) io.stderr(`posdiag log: skipped ${stats.malformed} line(s) that are not log entries\n`);
    return 0;
  },
});

async function daemonTail(socket: string, io: CliIo): Promise<LogTailSnapshot | undefined> {
  try {
    return await fetchDaemonLogTail(socket);
  } catch (err) {
    io.stderr(`posdiag log: cannot ask the daemon for the lines it holds in memory: ${(err as Error).message}\n`);
    return undefined;
  }
}

function fromMemoryNote(count: number, tail: LogTailSnapshot): string {
  const why = tail.error ? `: the log file cannot be written (${tail.error})` : '';
  const lost = tail.lost > 0 ? `; ${tail.lost} line(s) were lost` : '';
  return `posdiag log: the last ${count} line(s) come from the daemon's memory${why}${lost}\n`;
}

function toUsage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}
