import { mkdirSync, statSync } from 'node:fs';
import pino from 'pino';
import { currentLogPath, rotateLogFiles } from './log-files.js';

type Destination = ReturnType<typeof pino.destination>;

/**
 * The stream pino writes the diagnostic log into: `<dir>/posdiag.log`, size-bounded by rotation.
 *
 * Writes are synchronous (`sync: true`): each line is one write(2) before the log call returns, so a
 * SIGKILL or a crash right after a fault loses no line that was logged. At our volumes (a few lines a
 * second) the cost does not matter.
 *
 * Invariant: a file holds at most `maxBytes` unless a single line is longer. Before a line that would
 * overflow the current file, the files are rotated (`posdiag.log` → `.1` … `.<keep>`, the oldest deleted)
 * and the line starts a new file. The byte count starts from the file's size at open, so restarts and
 * external reopens keep the bound.
 *
 * A failing disk never throws into the caller: the first error is reported on stderr (the journal under
 * systemd) and lines are dropped until the disk recovers.
 */
export class RotatingLogFile {
  readonly path: string;
  private readonly dest: Destination;
  private bytes: number;
  private closed = false;
  private errorReported = false;

  constructor(
    private readonly dir: string,
    private readonly maxBytes: number,
    private readonly keep: number,
  ) {
    mkdirSync(dir, { recursive: true });
    this.path = currentLogPath(dir);
    this.dest = pino.destination({ dest: this.path, sync: true, append: true });
    this.dest.on('error', (err: Error) => this.report(err));
    this.bytes = sizeOf(this.path);
  }

  write(line: string): void {
    if (this.closed) return;
    const size = Buffer.byteLength(line);
    if (this.bytes > 0 && this.bytes + size > this.maxBytes) this.rotate();
    this.bytes += size;
    this.dest.write(line);
  }

  /** Reopens `posdiag.log` by name: after logrotate renamed it (SIGHUP), or after our own rotation. */
  reopen(): void {
    if (this.closed) return;
    try {
      this.dest.reopen();
      this.bytes = sizeOf(this.path);
      this.errorReported = false;
    } catch (err) {
      this.report(err as Error);
    }
  }

  /** Pushes written lines to the disk (fsync): before a deliberate exit or a power-risky action. */
  flush(): void {
    if (this.closed) return;
    try {
      this.dest.flushSync();
    } catch (err) {
      this.report(err as Error);
    }
  }

  /** Closes the file; later log calls are dropped silently (shutdown order does not matter). */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return new Promise((resolve) => {
      this.dest.once('close', () => resolve());
      this.dest.once('error', () => resolve());
      this.dest.end();
    });
  }

  private rotate(): void {
    try {
      rotateLogFiles(this.dir, this.keep);
    } catch (err) {
      this.report(err as Error);
    }
    this.reopen();
    // If the rotation failed we are still in the full file: try again only after another maxBytes,
    // rather than on every line.
    this.bytes = 0;
  }

  private report(err: Error): void {
    if (this.errorReported) return;
    this.errorReported = true;
    process.stderr.write(`posdiag: diagnostic log ${this.path}: ${err.message}\n`);
  }
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
