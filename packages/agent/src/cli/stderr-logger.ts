import { pino } from 'pino';
import { ConfigError } from '../config/load.js';
import { parseLogLevel } from '../log-line/levels.js';
import type { Logger } from '../log/logger.js';

/** JSON lines on stderr, for the one-shot commands (self-test, status, bundle): stdout stays for their output. */
export function stderrLogger(level = process.env.POSDIAG_LOG_LEVEL ?? 'info'): Logger {
  try {
    level = parseLogLevel(level);
  } catch (err) {
    // The only level not written in the code is the one from the environment.
    throw new ConfigError(`POSDIAG_LOG_LEVEL: ${(err as Error).message}`);
  }
  return pino({ level, timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label) => ({ level: label }) } }, pino.destination(2));
}
