import { pino } from 'pino';
import { ConfigError } from 'posdiag-protocol/cli';

/**
 * What the hub logs through: a pino logger (its own on stderr, or the one of the program embedding it)
 * satisfies it; tests pass a recording one. Objects first, message second, as pino does.
 */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

/** A logger that drops everything: for a hub embedded where nobody reads its log. */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return silentLogger;
  },
};

/** pino's level names, lowest first. */
const LEVELS = Object.entries(pino.levels.values)
  .sort(([, a], [, b]) => a - b)
  .map(([name]) => name);

/** JSON lines on stderr (level, time, msg and the fields), at POSDIAG_LOG_LEVEL (default info). */
export function stderrLogger(): Logger {
  const level = process.env.POSDIAG_LOG_LEVEL ?? 'info';
  const name = level.toLowerCase();
  if (!LEVELS.includes(name)) throw new ConfigError(`POSDIAG_LOG_LEVEL: unknown log level "${level}": use one of ${LEVELS.join(', ')}`);
  return pino({ level: name, timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label) => ({ level: label }) } }, pino.destination(2));
}
