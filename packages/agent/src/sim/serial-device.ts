import type { Duplex } from 'node:stream';
import { attachMockPort, type MockPortAttachment } from './mock-port.js';

/** What every emulated serial device (printer, modem, reader) offers: bytes in → replies, and unsolicited output. */
export interface EmulatedSerialDevice {
  handleInput(bytes: Uint8Array): Buffer;
  onOutput(listener: (bytes: Buffer) => void): () => void;
}

/**
 * Line noise a test puts on an emulated device's wire: at once, as unsolicited bytes, or just ahead of
 * each of the next few replies, as noise that reaches the host right before the device's answer (and
 * may pass for it) would.
 */
export class WireNoise {
  private ahead = Buffer.alloc(0);
  private repliesLeft = 0;

  constructor(private readonly send: (bytes: Buffer) => void) {}

  put(bytes: Uint8Array, aheadOfReplies = 0): void {
    if (aheadOfReplies <= 0) return this.send(Buffer.from(bytes));
    this.ahead = Buffer.from(bytes);
    this.repliesLeft = aheadOfReplies;
  }

  /** `reply`, with the noise in front of it while some is due. */
  before(reply: Buffer): Buffer {
    if (reply.length === 0 || this.repliesLeft === 0) return reply;
    this.repliesLeft--;
    return Buffer.concat([this.ahead, reply]);
  }
}

/** Connects a device to a real stream (e.g. a serialport opened on one end of a pty). Returns detach. */
export function attachDeviceToStream(device: EmulatedSerialDevice, stream: Duplex): () => void {
  const onData = (chunk: Buffer) => {
    const replies = device.handleInput(chunk);
    if (replies.length > 0 && stream.writable) stream.write(replies);
  };
  stream.on('data', onData);
  const unsubscribe = device.onOutput((bytes) => {
    if (stream.writable) stream.write(bytes);
  });
  return () => {
    stream.off('data', onData);
    unsubscribe();
  };
}

/** Creates `path` as a serialport mock port answered by the device; hand the attachment's `binding` to the driver. */
export function attachDeviceToMockPort(device: EmulatedSerialDevice, path: string): Promise<MockPortAttachment> {
  return attachMockPort(path, (bytes) => device.handleInput(bytes), (send) => device.onOutput(send));
}
