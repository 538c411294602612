import { open, type FileHandle } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';

const CHUNK_BYTES = 64 * 1024;

/**
 * Reads one log file incrementally through its descriptor, so it keeps reading the same file after a
 * rename (rotation). Lines are returned only once complete; an unterminated tail waits for its newline
 * (or for `takeRest` when the file will not grow any more).
 */
export class LogFileTail {
  private position = 0;
  private partial = '';
  private decoder = new StringDecoder('utf8');

  private constructor(
    private readonly handle: FileHandle,
    /** Identity of the opened file: `posdiag.log` with another inode is a new file. */
    readonly ino: number,
  ) {}

  /** Opens the file, or gives undefined when it does not exist (rotated away, not created yet). */
  static async open(path: string): Promise<LogFileTail | undefined> {
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    return new LogFileTail(handle, (await handle.stat()).ino);
  }

  /** The complete lines appended since the last call, up to the current end of the file. */
  async *newLines(): AsyncGenerator<string> {
    if ((await this.handle.stat()).size < this.position) {
      // Truncated in place (logrotate copytruncate): the file starts over.
      this.position = 0;
      this.partial = '';
      this.decoder = new StringDecoder('utf8');
    }
    const buffer = Buffer.alloc(CHUNK_BYTES);
    for (;;) {
      const { bytesRead } = await this.handle.read(buffer, 0, buffer.length, this.position);
      if (bytesRead === 0) return;
      this.position += bytesRead;
      const lines = (this.partial + this.decoder.write(buffer.subarray(0, bytesRead))).split('\n');
      this.partial = lines.pop() ?? '';
      yield* lines;
    }
  }

  /** Every remaining line of a file that will not grow any more, the unterminated last one included. */
  async *linesToEnd(): AsyncGenerator<string> {
    yield* this.newLines();
    yield this.takeRest();
  }

  /** Whether the file holds any data (read or not). */
  async hasData(): Promise<boolean> {
    return this.position > 0 || (await this.handle.stat()).size > 0;
  }

  /** The unterminated last line (possibly empty): call when the file is finished. */
  takeRest(): string {
    const rest = this.partial + this.decoder.end();
    this.partial = '';
    return rest;
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}
