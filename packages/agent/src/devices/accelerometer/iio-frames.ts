import { close, constants, fstat, open, read } from 'node:fs';
import { Socket } from 'node:net';
import { promisify } from 'node:util';

/**
 * The byte stream of an IIO character device (`/dev/iio:deviceN`) cut into whole frames. The device
 * is opened non-blocking and read every READ_EVERY_MS until it has nothing (EAGAIN), so a close
 * never leaves a read hanging in the thread pool (a blocking read of a buffer that was switched off
 * might never return, and would keep the daemon from exiting). A FIFO (the emulator's stand-in, and
 * what a test can make) is read as a non-blocking pipe instead: before its writer comes, a FIFO reads
 * as ended, a pipe just waits. Bytes of a frame split across reads are kept until the frame is whole.
 */
export const READ_EVERY_MS = 20;
const CHUNK = 64 * 1024;

export class FrameReader {
  private socket: Socket | undefined;
  private fd: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private pending = Buffer.alloc(0);
  private stopped = false;
  private reading = false;
  private afterRead: (() => void) | undefined;

  constructor(
    private readonly path: string,
    private readonly frameBytes: number,
  ) {
    if (!(frameBytes > 0)) throw new Error('frame size must be positive');
  }

  /** Opens the device; `onFrames` gets every whole frame, `onEnd` the stream's end or error (once). */
  async start(onFrames: (frames: Buffer[]) => void, onEnd: (error: Error | null) => void): Promise<void> {
    // A plain fd, not a FileHandle: it is closed here or by the socket (a FileHandle would close it when collected).
    const fd = await promisify(open)(this.path, constants.O_RDONLY | constants.O_NONBLOCK);
    let ended = false;
    const end = (error: Error | null) => {
      if (ended || this.stopped) return;
      ended = true;
      this.stop();
      onEnd(error);
    };
    const take = (chunk: Buffer) => {
      const bytes = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
      const whole = Math.floor(bytes.length / this.frameBytes);
      const frames: Buffer[] = [];
      for (let i = 0; i < whole; i++) frames.push(bytes.subarray(i * this.frameBytes, (i + 1) * this.frameBytes));
      this.pending = Buffer.from(bytes.subarray(whole * this.frameBytes));
      if (frames.length) onFrames(frames);
    };
    let fifo: boolean;
    try {
      fifo = (await promisify(fstat)(fd)).isFIFO();
    } catch (err) {
      close(fd, () => {});
      throw err;
    }
    if (fifo) {
      const socket = new Socket({ fd, readable: true, writable: false });
      this.socket = socket;
      socket.on('data', take);
      socket.once('end', () => end(null));
      socket.once('error', (err) => end(err));
      socket.once('close', () => end(null));
      return;
    }
    this.fd = fd;
    const buffer = Buffer.alloc(CHUNK);
    const poll = () => {
      // Never a read after stop: the fd number may belong to another file by then.
      if (this.stopped) return;
      this.reading = true;
      read(fd, buffer, 0, CHUNK, null, (err, n) => {
        this.reading = false;
        if (this.stopped) return this.afterRead?.();
        if (err && err.code === 'EAGAIN') return void (this.timer = setTimeout(poll, READ_EVERY_MS));
        if (err) return end(err);
        if (n === 0) return end(null);
        take(Buffer.from(buffer.subarray(0, n)));
        // More may be waiting: read again at once until the device has nothing.
        setImmediate(poll);
      });
    };
    poll();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.socket?.destroy();
    this.socket = undefined;
    // A read in flight holds the fd until its callback: closing now could hand its number to another file first.
    const fd = this.fd;
    this.fd = undefined;
    if (fd !== undefined) this.closeWhenIdle(fd);
    this.pending = Buffer.alloc(0);
  }

  private closeWhenIdle(fd: number): void {
    const closeIt = () => close(fd, () => {});
    if (this.reading) this.afterRead = closeIt;
    else closeIt();
  }
}
