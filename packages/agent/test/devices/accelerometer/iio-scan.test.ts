import { describe, expect, it } from 'vitest';
import { decodeAccelFrame, decodeElement, encodeElement, formatScanType, parseScanType, rawToG, scanLayout, STANDARD_GRAVITY } from '../../../src/devices/accelerometer/iio-scan.js';

describe('IIO scan type strings', () => {
  it('parse endianness, sign, bits, storage, repeat and shift', () => {
    expect(parseScanType('le:s12/16>>4')).toEqual({ endian: 'le', signed: true, bits: 12, storageBits: 16, repeat: 1, shift: 4 });
    expect(parseScanType('be:u10/16>>6\n')).toEqual({ endian: 'be', signed: false, bits: 10, storageBits: 16, repeat: 1, shift: 6 });
    expect(parseScanType('le:s64/64>>0')).toMatchObject({ bits: 64, storageBits: 64 });
    expect(parseScanType('le:s16/16X3>>0').repeat).toBe(3);
    expect(formatScanType(parseScanType('be:s14/16>>2'))).toBe('be:s14/16>>2');
  });

  it('refuse what is not one, naming it', () => {
    expect(() => parseScanType('s12/16>>4')).toThrow('"s12/16>>4" is not an IIO scan type');
    expect(() => parseScanType('le:s12/12>>0')).toThrow('storage of 12 bits');
    expect(() => parseScanType('le:s14/16>>4')).toThrow('do not fit in 16');
  });
});

describe('IIO element decoding (bytes as the kernel writes them)', () => {
  it('le:s12/16>>4: -1 g on a ±16 g part is 0xF800 >> 4 = -128 counts', () => {
    // -128 << 4 = 0xF800, little-endian 00 F8; the low 4 bits are junk the shift drops.
    expect(decodeElement(Uint8Array.from([0x0f, 0xf8]), 0, parseScanType('le:s12/16>>4'))).toBe(-128n);
    expect(decodeElement(Uint8Array.from([0x00, 0x08]), 0, parseScanType('le:s12/16>>4'))).toBe(128n);
  });

  it('be:s14/16>>2 and unsigned values', () => {
    expect(decodeElement(Uint8Array.from([0xff, 0xfc]), 0, parseScanType('be:s14/16>>2'))).toBe(-1n);
    expect(decodeElement(Uint8Array.from([0xff, 0xfc]), 0, parseScanType('be:u14/16>>2'))).toBe(16383n);
    expect(decodeElement(Uint8Array.from([0x80]), 0, parseScanType('le:s8/8>>0'))).toBe(-128n);
  });

  it('a 64-bit timestamp in ns', () => {
    const frame = new Uint8Array(8);
    encodeElement(frame, 0, parseScanType('le:s64/64>>0'), 1_700_000_000_123_456_789n);
    expect(Buffer.from(frame).readBigInt64LE(0)).toBe(1_700_000_000_123_456_789n);
    expect(decodeElement(frame, 0, parseScanType('le:s64/64>>0'))).toBe(1_700_000_000_123_456_789n);
  });

  it('encode is decode\'s inverse across the range', () => {
    const type = parseScanType('be:s12/16>>4');
    for (const v of [-2048n, -1n, 0n, 1n, 2047n]) {
      const frame = new Uint8Array(2);
      encodeElement(frame, 0, type, v);
      expect(decodeElement(frame, 0, type)).toBe(v);
    }
  });
});

describe('IIO frame layout', () => {
  const s16 = parseScanType('le:s12/16>>4');
  const ts = parseScanType('le:s64/64>>0');

  it('elements in index order, each aligned to its size, the frame padded to the largest', () => {
    const layout = scanLayout([
      { name: 'in_timestamp', index: 3, type: ts },
      { name: 'in_accel_z', index: 2, type: s16 },
      { name: 'in_accel_x', index: 0, type: s16 },
      { name: 'in_accel_y', index: 1, type: s16 },
    ]);
    expect(layout.elements.map((e) => [e.name, e.offset])).toEqual([['in_accel_x', 0], ['in_accel_y', 2], ['in_accel_z', 4], ['in_timestamp', 8]]);
    expect(layout.frameBytes).toBe(16);
    expect(scanLayout([{ name: 'in_accel_x', index: 0, type: s16 }, { name: 'in_accel_y', index: 1, type: s16 }, { name: 'in_accel_z', index: 2, type: s16 }]).frameBytes).toBe(6);
  });

  it('a frame of real bytes to g and its timestamp', () => {
    const layout = scanLayout([
      { name: 'in_accel_x', index: 0, type: s16 },
      { name: 'in_accel_y', index: 1, type: s16 },
      { name: 'in_accel_z', index: 2, type: s16 },
      { name: 'in_timestamp', index: 3, type: ts },
    ]);
    // x = 0, y = -64 counts (0xFC00), z = +128 counts (0x0800); 6 padding bytes; timestamp 5 000 000 ns.
    const frame = Uint8Array.from([0x00, 0x00, 0x00, 0xfc, 0x00, 0x08, 0, 0, 0x40, 0x4b, 0x4c, 0x00, 0, 0, 0, 0]);
    const scale = (16 * STANDARD_GRAVITY) / 2048;
    const decoded = decodeAccelFrame(frame, { layout, scale: { x: scale, y: scale, z: scale } });
    expect(decoded.timestampNs).toBe(5_000_000n);
    expect(decoded.x).toBe(0);
    expect(decoded.y).toBeCloseTo(-0.5, 6);
    expect(decoded.z).toBeCloseTo(1, 6);
  });

  it('raw sysfs values', () => {
    expect(rawToG('-1002\n', 0.00980665)).toBeCloseTo(-1.002, 6);
    expect(rawToG('12', 1, -2)).toBeCloseTo(10 / STANDARD_GRAVITY, 6);
    expect(rawToG('garbage', 1)).toBeNull();
  });
});
