import pino from 'pino';
import { systemClock, type Clock } from 'posdiag-protocol';
import { parseLogLevel } from '../log-line/levels.js';
import { withoutOwnKeys } from '../log-line/own-keys.js';
import type { LogFs } from './log-fs.js';
import type { LogStorage, LogTailSnapshot } from '../log-line/tail-snapshot.js';
import { RotatingLogFile, type LogStorageChange } from './rotating-file.js';
import { scrubLogLine } from './scrub-line.js';

/**
 * The agent's local diagnostic log (SPEC §2 `posdiag log`): pino JSON lines in `<dir>/posdiag.log`.
 *
 * Every line has `time` (ISO 8601, UTC), `level` (a label: trace … fatal), `pid`, `name` and `msg`.
 * A caller's field or child binding with one of those names never replaces them: it is written as
 * `field_<name>` (own-keys.ts), so every line stays readable.
 * Code binds three conventional fields, which `posdiag log --device/--fault/--kind` filter on:
 * - `device`: the device kind (`printer`, `cardReader`, `battery`, `network`, `modem`, `system`, `agent`),
 *   e.g. `log.child({ device: 'printer' })` for everything a printer driver logs;
 * - `fault`: the fault code a line is about, e.g. `log.warn({ fault: 'printer.paper_end' }, 'raised')`;
 * - `kind`: the kind of report a line is about, e.g. `self_test` on the line of each self-test.
 *
 * Every serialized line is scrubbed of card data (`scrubLogLine`) just before it is written, so nothing
 * logged — message text, fields, child bindings, error stacks — can leak a PAN or track data.
 */
export interface FileLoggerOptions {
  dir: string;
  /** Minimum level written: trace, debug, info, warn, error, fatal. */
  level: string;
  /** Bound on one file's size; past it the files rotate. */
  maxBytes: number;
  /** Rotated files kept besides the current one (`posdiag.log.1` … `.<keep>`). */
  keep: number;
  /** The `name` field of every line; default `posdiag`. */
  name?: string;
  /** Source of the `time` field and of the retries while the disk fails; default the system clock. */
  clock?: Clock;
  /** The file system (a seam for disk-failure tests); default the real one. */
  fs?: LogFs;
  /** While the file cannot be written, how often it is tried again; default 5 s. */
  retryMs?: number;
  /** Bounds of the memory tail of the latest lines; default 1,000 lines and 1 MiB. */
  tailLines?: number;
  tailBytes?: number;
}

/** What the agent watches of its log: whether lines reach the file, and the latest lines themselves. */
export interface LogFileHealth {
  storage(): LogStorage;
  /** Called when lines stop reaching the file (the disk fails) and when they reach it again. */
  onStorageChange(listener: (change: LogStorageChange) => void): void;
  /** The latest lines, those not in the file marked (see memory-tail.ts). */
  memoryTail(): LogTailSnapshot;
}

export interface FileLoggerHandle extends LogFileHealth {
  /** A pino logger; it satisfies the `Logger` interface every module takes. */
  logger: pino.Logger;
  /** Path of the file being written. */
  file: string;
  /** Reopens the file by name (logrotate without copytruncate renamed it). */
  reopen(): void;
  /** fsyncs what has been written. */
  flush(): void;
  /** Closes the file; later log calls are dropped. */
  close(): Promise<void>;
}

export function createFileLogger(options: FileLoggerOptions): FileLoggerHandle {
  const level = parseLogLevel(options.level);
  if (!Number.isInteger(options.maxBytes) || options.maxBytes < 1) throw new Error(`log maxBytes must be a positive integer, got ${options.maxBytes}`);
  if (!Number.isInteger(options.keep) || options.keep < 1) throw new Error(`log keep must be a positive integer, got ${options.keep}`);
  const clock = options.clock ?? systemClock;
  const file = new RotatingLogFile(options.dir, options.maxBytes, options.keep, {
    clock,
    ...(options.fs ? { fs: options.fs } : {}),
    ...(options.retryMs !== undefined ? { retryMs: options.retryMs } : {}),
    ...(options.tailLines !== undefined ? { tailLines: options.tailLines } : {}),
    ...(options.tailBytes !== undefined ? { tailBytes: options.tailBytes } : {}),
  });
  const logger = pino(
    {
      name: options.name ?? 'posdiag',
      level,
      base: { pid: process.pid },
      timestamp: () => `,"time":"${new Date(clock.now()).toISOString()}"`,
      formatters: { level: (label) => ({ level: label }) },
      hooks: {
        streamWrite: scrubLogLine,
        logMethod(args, method) {
          const [first] = args;
          if (typeof first === 'object' && first !== null && !(first instanceof Error)) args[0] = withoutOwnKeys(first);
          return method.apply(this, args);
        },
      },
    },
    file,
  );
  // Children are created from the root through the prototype chain, so this one override covers every
  // child and grandchild: pino itself would drop a `level` binding and duplicate the other own keys.
  const pinoChild = logger.child;
  logger.child = function (this: pino.Logger, bindings: pino.Bindings, childOptions?: pino.ChildLoggerOptions): unknown {
    return Reflect.apply(pinoChild, this, [withoutOwnKeys(bindings), childOptions]);
  } as typeof logger.child;
  return {
    logger,
    file: file.path,
    reopen: () => file.reopen(),
    storage: () => file.currentStorage(),
    onStorageChange: (listener) => file.onStorageChange(listener),
    memoryTail: () => file.memoryTail(),
    flush: () => file.flush(),
    close: () => file.close(),
  };
}

/**
 * Reopens the log on SIGHUP, as logrotate's `postrotate` expects (`kill -HUP`). Returns the function that
 * removes the listener again.
 */
export function installSighupReopen(handle: Pick<FileLoggerHandle, 'reopen'>): () => void {
  const onHup = () => handle.reopen();
  process.on('SIGHUP', onHup);
  return () => {
    process.off('SIGHUP', onHup);
  };
}
