/**
 * Log levels as pino names them, lowest first. The file logger writes the label (`"level":"warn"`);
 * the reader also accepts pino's numbers (10…60) so a file written with default pino settings reads too.
 */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && (LOG_LEVELS as readonly string[]).includes(value);
}

/** A level given by a person (`--level WARN`): case-insensitive, with a clear error listing the choices. */
export function parseLogLevel(text: string): LogLevel {
  const level = text.toLowerCase();
  if (!isLogLevel(level)) throw new Error(`unknown log level "${text}": use one of ${LOG_LEVELS.join(', ')}`);
  return level;
}

/** Position in LOG_LEVELS: higher is more severe. */
export function levelRank(level: LogLevel): number {
  return LOG_LEVELS.indexOf(level);
}

/** The level of a parsed line: a label, or one of pino's numbers (10 trace … 60 fatal). */
export function levelOfJson(value: unknown): LogLevel | undefined {
  if (isLogLevel(value)) return value;
  if (typeof value === 'number' && Number.isInteger(value) && value % 10 === 0) return LOG_LEVELS[value / 10 - 1];
  return undefined;
}
