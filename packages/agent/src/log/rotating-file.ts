import { systemClock, type Clock } from 'posdiag-protocol';
import { currentLogPath } from '../log-line/log-files.js';
import { nodeLogFs, type LogFs } from './log-fs.js';
import type { LogStorage, LogTailSnapshot } from '../log-line/tail-snapshot.js';
import { LogMemoryTail } from './memory-tail.js';

/** While the log cannot be written, it is tried again this often (and on a reopen). */
export const LOG_RETRY_MS = 5_000;

export interface RotatingLogFileOptions {
  dir: string;
  maxBytes: number;
  keep: number;
  fs?: LogFs;
  /** Drives the retries while the disk fails; default the system clock. */
  clock?: Clock;
  retryMs?: number;
  /** Bounds of the memory tail; default 1,000 lines and 1 MiB. */
  tailLines?: number;
  tailBytes?: number;
}

/** A change of where lines go; `lost` counts the lines that never reached the file, on the way back. */
export interface LogStorageChange {
  storage: LogStorage;
  error?: Error;
  lost: number;
}

/**
 * The stream pino writes the diagnostic log into: `<dir>/posdiag.log`, size-bounded by rotation, with a
 * bounded memory tail of the latest lines for when the disk fails.
 *
 * Writes are synchronous: each line is written (write(2)) before the log call returns, so a SIGKILL or a
 * crash right after a fault loses no line that was logged. At our volumes (a few lines a second) the
 * cost does not matter.
 *
 * Invariants:
 * - A file holds at most `maxBytes` unless a single line is longer. Before a line that would overflow
 *   the current file, the files are rotated and the line starts a new file. The byte count starts from
 *   the file's size at open, so restarts and external reopens keep the bound.
 * - A failing disk (ENOSPC, EDQUOT, EROFS, EIO, EACCES, any error opening or writing) never throws into
 *   the caller. Storage turns to 'memory': lines are kept only in the tail, listeners hear of it (the
 *   agent raises agent.log_degraded), and every `retryMs` (or on a reopen) the unwritten lines are
 *   written again, oldest first; once they all are, storage is 'disk' again. No line is written twice,
 *   and the file holds no torn line: a short write is cut off again (or, if that fails too, ended with
 *   a newline before the next line).
 */
export class RotatingLogFile {
  readonly path: string;
  private readonly fs: LogFs;
  private readonly clock: Clock;
  private readonly retryMs: number;
  private readonly tail: LogMemoryTail;
  private fd: number | undefined;
  private bytes = 0;
  /** The file ends in part of a line that could not be cut off. */
  private torn = false;
  private storage: LogStorage = 'disk';
  private error: Error | undefined;
  private retryTimer: ReturnType<Clock['setTimeout']> | undefined;
  private closed = false;
  private rotationErrorReported = false;
  private readonly listeners: Array<(change: LogStorageChange) => void> = [];

  constructor(
    private readonly dir: string,
    private readonly maxBytes: number,
    private readonly keep: number,
    options: Omit<RotatingLogFileOptions, 'dir' | 'maxBytes' | 'keep'> = {},
  ) {
    this.path = currentLogPath(dir);
    this.fs = options.fs ?? nodeLogFs;
    this.clock = options.clock ?? systemClock;
    this.retryMs = options.retryMs ?? LOG_RETRY_MS;
    this.tail = new LogMemoryTail(options.tailLines, options.tailBytes);
    try {
      this.openFile();
    } catch (err) {
      this.degrade(err as Error);
    }
  }

  write(line: string): void {
    if (this.closed) return;
    this.tail.push(line);
    if (this.storage === 'disk') {
      const error = this.writeUnwritten();
      if (error) this.degrade(error);
    }
  }

  /** Reopens `posdiag.log` by name: after logrotate renamed it (SIGHUP). While degraded, also retries. */
  reopen(): void {
    if (this.closed) return;
    try {
      this.openFile();
    } catch (err) {
      this.degrade(err as Error);
      return;
    }
    if (this.storage === 'memory') this.retry();
  }

  /** Pushes written lines to the disk (fsync): before a deliberate exit or a power-risky action. */
  flush(): void {
    if (this.closed || this.fd === undefined) return;
    try {
      this.fs.fsync(this.fd);
    } catch (err) {
      this.degrade(err as Error);
    }
  }

  currentStorage(): LogStorage {
    return this.storage;
  }

  memoryTail(): LogTailSnapshot {
    return this.tail.snapshot(this.storage, this.error);
  }

  /** Called (from a microtask, never inside a log call) when storage changes. */
  onStorageChange(listener: (change: LogStorageChange) => void): void {
    this.listeners.push(listener);
  }

  /** Tries the unwritten lines a last time, then closes; later log calls are dropped silently. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.storage === 'memory') this.writeUnwritten();
    this.closed = true;
    if (this.retryTimer !== undefined) this.clock.clearTimeout(this.retryTimer);
    if (this.tail.unwritten > 0) process.stderr.write(`posdiag: diagnostic log ${this.path}: ${this.tail.unwritten} line(s) never written\n`);
    if (this.fd !== undefined) {
      try {
        this.fs.close(this.fd);
      } catch {
        // Closing is the last thing we do with it; nothing is left to save.
      }
      this.fd = undefined;
    }
    return Promise.resolve();
  }

  /** Writes the unwritten lines, oldest first; gives the error that stopped it, if any. */
  private writeUnwritten(): Error | undefined {
    for (let line = this.tail.nextUnwritten(); line !== undefined; line = this.tail.nextUnwritten()) {
      try {
        this.writeLine(line);
      } catch (err) {
        return err as Error;
      }
      this.tail.markWritten();
    }
    return undefined;
  }

  private writeLine(line: string): void {
    if (this.fd === undefined) this.openFile();
    if (this.bytes > 0 && this.bytes + Buffer.byteLength(line) > this.maxBytes) this.rotate();
    const data = Buffer.from(this.torn ? `\n${line}` : line);
    let written = 0;
    try {
      while (written < data.length) written += this.fs.write(this.fd!, data, written);
    } catch (err) {
      if (written > 0) this.cutTornLine(written);
      throw err;
    }
    this.torn = false;
    this.bytes += data.length;
  }

  /** A full disk took part of a line: cut it off again (freeing blocks needs no space), or remember it. */
  private cutTornLine(written: number): void {
    try {
      this.fs.truncate(this.fd!, this.fs.size(this.fd!) - written);
    } catch {
      this.torn = true;
    }
  }

  private rotate(): void {
    try {
      this.fs.rotate(this.dir, this.keep);
    } catch (err) {
      // The current file still takes lines: keep writing it, and try again only after another maxBytes
      // rather than on every line.
      if (!this.rotationErrorReported) process.stderr.write(`posdiag: diagnostic log ${this.path}: cannot rotate: ${(err as Error).message}\n`);
      this.rotationErrorReported = true;
      this.bytes = 0;
      return;
    }
    this.rotationErrorReported = false;
    this.openFile();
  }

  /**
   * (Re)opens `posdiag.log`, making its directory first (it may never have been made, or been removed);
   * throws when it cannot (the old descriptor is closed either way).
   */
  private openFile(): void {
    if (this.fd !== undefined) {
      const old = this.fd;
      this.fd = undefined;
      try {
        this.fs.close(old);
      } catch {
        // The new descriptor is what matters.
      }
    }
    this.fs.mkdir(this.dir);
    const fd = this.fs.openAppend(this.path);
    this.fd = fd;
    this.torn = false;
    this.bytes = this.fs.size(fd);
  }

  private degrade(error: Error): void {
    this.error = error;
    if (this.storage === 'memory') return;
    this.storage = 'memory';
    process.stderr.write(`posdiag: diagnostic log ${this.path}: ${error.message}; keeping the latest lines in memory, retrying every ${this.retryMs / 1000} s\n`);
    this.scheduleRetry();
    this.notify({ storage: 'memory', error, lost: 0 });
  }

  private retry(): void {
    if (this.retryTimer !== undefined) this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    if (this.closed || this.storage === 'disk') return;
    const error = this.writeUnwritten();
    if (error) {
      this.error = error;
      this.scheduleRetry();
      return;
    }
    this.storage = 'disk';
    this.error = undefined;
    const lost = this.tail.takeLost();
    process.stderr.write(`posdiag: diagnostic log ${this.path} is written again${lost > 0 ? `; ${lost} line(s) were lost meanwhile` : ''}\n`);
    this.notify({ storage: 'disk', lost });
  }

  private scheduleRetry(): void {
    if (this.closed) return;
    this.retryTimer = this.clock.setTimeout(() => this.retry(), this.retryMs);
  }

  private notify(change: LogStorageChange): void {
    // Deferred: a listener that logs must not write into the middle of the line being written.
    queueMicrotask(() => {
      for (const listener of this.listeners) listener(change);
    });
  }
}
