import { pino } from 'pino';
import type { Logger } from '../log/logger.js';

/** JSON lines on stderr, for the foreground processes (hub, demo): stdout stays for their output. */
export function stderrLogger(level = process.env.POSDIAG_LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label) => ({ level: label }) } }, pino.destination(2));
}
