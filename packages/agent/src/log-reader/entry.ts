import { levelOfJson, levelRank, parseLogLevel, type LogLevel } from '../log-line/levels.js';
import { recoverOwnFields } from '../log-line/own-keys.js';

/** One line of the diagnostic log, as read back. `level` is always a label, `time` an ISO string. */
export interface LogEntry {
  time: string;
  level: LogLevel;
  msg?: string;
  /** Device kind the line is about (see file-logger.ts). */
  device?: string;
  /** Fault code the line is about. */
  fault?: string;
  /** Kind of the report the line is about (`self_test`, `fault`, …: the report kinds). */
  kind?: string;
  [field: string]: unknown;
}

/** What `posdiag log` selects. Every given criterion must hold. */
export interface LogFilter {
  /** Only entries at or after this time (ms since the epoch); see parseSince. */
  since?: number;
  /** Minimum level, e.g. `warn` keeps warn, error and fatal. */
  level?: string;
  /** Exact device kind. */
  device?: string;
  /** Exact fault code. */
  fault?: string;
  /** Exact report kind, e.g. `self_test`. */
  kind?: string;
}

/** Counts kept while reading: lines that are not a log entry are skipped, never fatal. */
export interface LogReadStats {
  malformed: number;
}

/**
 * Parses one line. A line is an entry when it is a JSON object with a parseable `time` (ISO string or
 * pino's epoch number) and a known `level` (label or pino number); anything else is malformed. A line
 * in which a caller's field overrode the writer's own `level` or `time` (older versions) is repaired
 * first (see own-keys.ts), so every line the agent wrote reads.
 */
export function parseLogLine(line: string): LogEntry | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  recoverOwnFields(line, record);
  const level = levelOfJson(record.level);
  const time = typeof record.time === 'string' || typeof record.time === 'number' ? new Date(record.time) : undefined;
  if (!level || !time || Number.isNaN(time.getTime())) return undefined;
  return { ...record, time: time.toISOString(), level };
}

/** Validates the filter (an unknown level throws) and returns its predicate. */
export function compileFilter(filter: LogFilter): (entry: LogEntry) => boolean {
  const minRank = filter.level === undefined ? undefined : levelRank(parseLogLevel(filter.level));
  const { since, device, fault, kind } = filter;
  if (since !== undefined && !Number.isFinite(since)) throw new Error(`log filter: since must be a time in ms, got ${since}`);
  return (entry) =>
    (minRank === undefined || levelRank(entry.level) >= minRank) &&
    (since === undefined || Date.parse(entry.time) >= since) &&
    (device === undefined || entry.device === device) &&
    (fault === undefined || entry.fault === fault) &&
    (kind === undefined || entry.kind === kind);
}

/** Turns raw lines into accepted entries, counting the malformed ones. Blank lines are ignored. */
export function lineSink(accept: (entry: LogEntry) => boolean, stats: LogReadStats): (line: string) => LogEntry | undefined {
  return (line) => {
    if (line.trim() === '') return undefined;
    const entry = parseLogLine(line);
    if (!entry) {
      stats.malformed++;
      return undefined;
    }
    return accept(entry) ? entry : undefined;
  };
}
