import type { Duplex } from 'node:stream';
import { attachMockPort, type MockPortAttachment } from './mock-port.js';

/** What every emulated serial device (printer, modem, reader) offers: bytes in → replies, and unsolicited output. */
export interface EmulatedSerialDevice {
  handleInput(bytes: Uint8Array): Buffer;
  onOutput(listener: (bytes: Buffer) => void): () => void;
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
