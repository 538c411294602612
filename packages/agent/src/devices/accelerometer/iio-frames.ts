import { close, constants, createReadStream, fstat, open } from 'node:fs';
import { promisify } from 'node:util';
import { Socket } from 'node:net';
import type { Readable } from 'node:stream';

/**
 * The byte stream of an IIO character device (`/dev/iio:deviceN`) cut into whole frames. A FIFO (the
 * emulator's stand-in) is read as a non-blocking pipe; a real character device through a read stream.
 * Bytes of a frame split across reads are kept until the frame is whole.
 */
export class FrameReader {
  private stream: Readable | undefined;
  private pending = Buffer.alloc(0);

  constructor(
    private readonly path: string,
    private readonly frameBytes: number,
  ) {
    if (!(frameBytes > 0)) throw new Error('frame size must be positive');
  }

  /** Opens the device; `onFrames` gets every whole frame, `onEnd` the stream's end or error (once). */
  async start(onFrames: (frames: Buffer[]) => void, onEnd: (error: Error | null) => void): Promise<void> {
    // A plain fd, not a FileHandle: the socket owns it (a FileHandle would close it when collected).
    const fd = await promisify(open)(this.path, constants.O_RDONLY | constants.O_NONBLOCK);
    let stream: Readable;
    try {
      const stat = await promisify(fstat)(fd);
      if (stat.isFIFO()) stream = new Socket({ fd, readable: true, writable: false });
      else {
        await promisify(close)(fd);
        stream = createReadStream(this.path);
      }
    } catch (err) {
      close(fd, () => {});
      throw err;
    }
    this.stream = stream;
    let ended = false;
    const end = (error: Error | null) => {
      if (ended) return;
      ended = true;
      onEnd(error);
    };
    stream.on('data', (chunk: Buffer) => {
      const bytes = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
      const whole = Math.floor(bytes.length / this.frameBytes);
      const frames: Buffer[] = [];
      for (let i = 0; i < whole; i++) frames.push(bytes.subarray(i * this.frameBytes, (i + 1) * this.frameBytes));
      this.pending = Buffer.from(bytes.subarray(whole * this.frameBytes));
      if (frames.length) onFrames(frames);
    });
    stream.once('end', () => end(null));
    stream.once('error', (err) => end(err));
    stream.once('close', () => end(null));
  }

  stop(): void {
    this.stream?.destroy();
    this.stream = undefined;
    this.pending = Buffer.alloc(0);
  }
}
