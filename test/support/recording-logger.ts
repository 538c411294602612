export interface LogEntry {
  level: 'trace' | 'debug' | 'info' | 'warn' | 'error';
  msg: string | undefined;
  fields: Record<string, unknown>;
}

type LogMethod = (obj: object, msg?: string) => void;

/**
 * The Logger of the agent and of the hub, by shape (objects first, message second, as pino): here,
 * outside both packages, it imports neither.
 */
export interface RecordingLogger {
  entries: LogEntry[];
  trace: LogMethod;
  debug: LogMethod;
  info: LogMethod;
  warn: LogMethod;
  error: LogMethod;
  child(bindings: Record<string, unknown>): RecordingLogger;
}

/** A Logger that keeps every entry (child bindings merged into fields) for assertions. */
export function recordingLogger(entries: LogEntry[] = [], bindings: Record<string, unknown> = {}): RecordingLogger {
  const at = (level: LogEntry['level']) => (obj: object, msg?: string) => void entries.push({ level, msg, fields: { ...bindings, ...obj } });
  return {
    entries,
    trace: at('trace'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (more) => recordingLogger(entries, { ...bindings, ...more }),
  };
}
