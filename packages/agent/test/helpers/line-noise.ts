import { randomInt } from 'node:crypto';
import { constants, createWriteStream, openSync } from 'node:fs';
import { Duplex, type Writable } from 'node:stream';
import { SerialPort } from 'serialport';

/**
 * Random bytes for line-noise tests, from a seeded PRNG (xorshift32) so that a failing run can be
 * replayed: the seed comes from POSDIAG_NOISE_SEED when set, else at random, and is logged.
 */
export function noiseSeed(): number {
  const fromEnv = process.env.POSDIAG_NOISE_SEED;
  const seed = fromEnv === undefined ? randomInt(1, 2 ** 31) : Number(fromEnv);
  if (!Number.isInteger(seed) || seed <= 0) throw new Error(`POSDIAG_NOISE_SEED must be a positive integer, not ${fromEnv}`);
  console.info(`line noise seed ${seed} (replay with POSDIAG_NOISE_SEED=${seed})`);
  return seed;
}

/** An endless stream of pseudo-random bytes from `seed`, handed out in buffers of the size asked. */
export function noiseSource(seed: number): (length: number) => Buffer {
  let x = seed >>> 0 || 1;
  return (length) => {
    const out = Buffer.allocUnsafe(length);
    for (let i = 0; i < length; i++) {
      x ^= x << 13;
      x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      out[i] = x & 0xff;
    }
    return out;
  };
}

/**
 * Writes `total` bytes of noise to `stream` in chunks, waiting for 'drain' whenever the stream pushes
 * back, so the bytes flow as fast as the far end reads them and no faster (bounded memory). Resolves
 * once the last chunk has been handed to the OS.
 */
export async function pourNoise(stream: Writable, total: number, next: (length: number) => Buffer, chunk = 16 * 1024): Promise<void> {
  for (let sent = 0; sent < total; ) {
    const length = Math.min(chunk, total - sent);
    const ok = stream.write(next(length));
    sent += length;
    if (!ok) await new Promise<void>((resolve) => stream.once('drain', resolve));
  }
  await new Promise<void>((resolve, reject) => stream.write(Buffer.alloc(0), (err) => (err ? reject(err) : resolve())));
}

export interface DeviceEnd {
  /** What an emulator attaches to: reads what the host sends, writes in turn with the noise. */
  stream: Duplex;
  /** Where the noise goes: the same ordered writer as the device's replies. */
  writer: Writable;
  close(): Promise<void>;
}

/**
 * The device end of a pty, for a device that talks while megabytes of noise are poured in. Reading
 * (and the tty settings) go through serialport; every write, replies and noise alike, goes through
 * one blocking fd in order, so a reply waits behind at most a chunk or two of noise. (serialport's
 * own non-blocking writes, mixed with reads on the same port, stall for whole seconds under a
 * full pty buffer: a test-bench effect that would pass for the host's fault.)
 */
export async function openDeviceEnd(path: string): Promise<DeviceEnd> {
  const port = new SerialPort({ path, baudRate: 115200, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  port.on('error', () => {});
  const writer = createWriteStream('', { fd: openSync(path, constants.O_WRONLY | constants.O_NOCTTY) });
  writer.on('error', () => {});
  const stream = Duplex.from({ readable: port, writable: writer });
  stream.on('error', () => {}); // closing the two ends one after the other is a "premature close"
  return {
    stream,
    writer,
    async close() {
      await new Promise<void>((resolve) => writer.end(() => resolve()));
      if (port.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
    },
  };
}
