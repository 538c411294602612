import { describe, expect, it } from 'vitest';
import { FrameReader } from '../../../src/devices/accelerometer/iio-frames.js';

/**
 * The character-device path of the frame reader (non-blocking reads on a timer), on the two character
 * devices every Linux has: /dev/zero always has bytes, /dev/null is always at its end. (The FIFO path
 * runs in iio-driver.test.ts.)
 */
describe('the IIO frame reader on a character device', () => {
  it('cuts the bytes into whole frames and stops cleanly', async () => {
    const reader = new FrameReader('/dev/zero', 16);
    const frames = await new Promise<Buffer[]>((resolve, reject) => {
      void reader.start((f) => resolve(f), (err) => reject(err ?? new Error('ended')));
    });
    reader.stop();
    expect(frames.length).toBeGreaterThan(0);
    expect(frames.every((f) => f.length === 16)).toBe(true);
  });

  it('a device at its end ends the stream', async () => {
    const reader = new FrameReader('/dev/null', 16);
    const ended = await new Promise<Error | null>((resolve) => void reader.start(() => {}, resolve));
    expect(ended).toBeNull();
  });
});
