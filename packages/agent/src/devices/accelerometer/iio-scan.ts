/**
 * The pure codec of an IIO buffer (the kernel's Documentation/ABI/testing/sysfs-bus-iio and
 * iio_buffer.rst): scan element `type` strings, the layout of one frame (scan) from the enabled
 * elements' indices and storage sizes, and a frame's bytes to accelerations in g.
 *
 * A type string is `[be|le]:[s|u]bits/storagebits[Xrepeat]>>shift`, e.g. `le:s12/16>>4`: a 16-bit
 * little-endian word whose value is its 12 bits above the lowest 4, signed. In a frame the elements
 * lie in index order, each aligned to its own storage size (the kernel pads before an element so that
 * its offset is a multiple of its byte size), and the whole frame is padded to the largest element.
 */

export interface ScanType {
  endian: 'be' | 'le';
  signed: boolean;
  /** Significant bits of the value. */
  bits: number;
  /** Bits the value is stored in (8, 16, 32 or 64). */
  storageBits: number;
  /** Values of this element per scan (`X2`: two). */
  repeat: number;
  /** Right shift before masking to `bits`. */
  shift: number;
}

const TYPE_PATTERN = /^(be|le):([su])(\d+)\/(\d+)(?:X(\d+))?>>(\d+)$/;

/** Parses a scan element `type` string; throws an Error naming it when it is not one. */
export function parseScanType(text: string): ScanType {
  const m = TYPE_PATTERN.exec(text.trim());
  if (!m) throw new Error(`"${text.trim()}" is not an IIO scan type (e.g. "le:s12/16>>4")`);
  const type: ScanType = {
    endian: m[1] as 'be' | 'le',
    signed: m[2] === 's',
    bits: Number(m[3]),
    storageBits: Number(m[4]),
    repeat: m[5] === undefined ? 1 : Number(m[5]),
    shift: Number(m[6]),
  };
  if (![8, 16, 32, 64].includes(type.storageBits)) throw new Error(`"${text.trim()}": storage of ${type.storageBits} bits (8, 16, 32 or 64)`);
  if (type.bits < 1 || type.bits + type.shift > type.storageBits) throw new Error(`"${text.trim()}": ${type.bits} bits shifted by ${type.shift} do not fit in ${type.storageBits}`);
  if (type.repeat < 1) throw new Error(`"${text.trim()}": repeat of ${type.repeat}`);
  return type;
}

/** The same type as the kernel writes it. */
export function formatScanType(type: ScanType): string {
  const repeat = type.repeat > 1 ? `X${type.repeat}` : '';
  return `${type.endian}:${type.signed ? 's' : 'u'}${type.bits}/${type.storageBits}${repeat}>>${type.shift}`;
}

/** One enabled scan element as sysfs describes it. */
export interface ScanElement {
  /** e.g. `in_accel_x`, `in_timestamp`. */
  name: string;
  index: number;
  type: ScanType;
}

export interface ScanLayout {
  /** Byte offset of each element in a frame, in index order. */
  elements: readonly (ScanElement & { offset: number })[];
  /** Bytes per frame, padding included. */
  frameBytes: number;
}

/** Where each enabled element lies in a frame. */
export function scanLayout(enabled: readonly ScanElement[]): ScanLayout {
  const sorted = [...enabled].sort((a, b) => a.index - b.index);
  let offset = 0;
  let largest = 1;
  const elements = sorted.map((element) => {
    const bytes = element.type.storageBits / 8;
    largest = Math.max(largest, bytes);
    offset = Math.ceil(offset / bytes) * bytes;
    const placed = { ...element, offset };
    offset += bytes * element.type.repeat;
    return placed;
  });
  return { elements, frameBytes: Math.ceil(offset / largest) * largest };
}

/** One element's (first) value at `offset` of `frame`, as the type says: shifted, masked, sign-extended. */
export function decodeElement(frame: Uint8Array, offset: number, type: ScanType): bigint {
  const bytes = type.storageBits / 8;
  if (offset + bytes > frame.length) throw new Error(`frame of ${frame.length} bytes has no ${bytes} bytes at ${offset}`);
  let word = 0n;
  for (let i = 0; i < bytes; i++) {
    const byte = BigInt(frame[offset + (type.endian === 'le' ? bytes - 1 - i : i)]!);
    word = (word << 8n) | byte;
  }
  const mask = (1n << BigInt(type.bits)) - 1n;
  let value = (word >> BigInt(type.shift)) & mask;
  if (type.signed && value >> BigInt(type.bits - 1) === 1n) value -= 1n << BigInt(type.bits);
  return value;
}

/** The inverse of decodeElement, for emulators and tests: `value` stored at `offset` of `frame`. */
export function encodeElement(frame: Uint8Array, offset: number, type: ScanType, value: bigint): void {
  const bytes = type.storageBits / 8;
  const mask = (1n << BigInt(type.bits)) - 1n;
  const word = (BigInt.asUintN(type.bits, value) & mask) << BigInt(type.shift);
  for (let i = 0; i < bytes; i++) {
    const byte = Number((word >> BigInt(8 * i)) & 0xffn);
    frame[offset + (type.endian === 'le' ? i : bytes - 1 - i)] = byte;
  }
}

/** Standard gravity, m/s²: IIO accelerometers report m/s² (raw × scale). */
export const STANDARD_GRAVITY = 9.80665;

/** One sample: `t` in ms (the device's timestamp, or the sample's place at the sampling rate), acceleration in g. */
export interface AccelSample {
  t: number;
  x: number;
  y: number;
  z: number;
}

/** What a frame's accel elements mean: the `in_accel_scale` (m/s² per count) and the axis of each element. */
export interface AccelFrameMeaning {
  layout: ScanLayout;
  /** m/s² per count; one for all axes or per axis. */
  scale: { x: number; y: number; z: number };
  /** Per-axis `_offset` in counts (added before scaling); 0 when absent. */
  offset?: { x: number; y: number; z: number };
}

/**
 * The axes of one frame in g, and its timestamp in ns when `in_timestamp` is enabled (null otherwise).
 * A frame without one of the three axes enabled is refused: the layout was built wrongly.
 */
export function decodeAccelFrame(frame: Uint8Array, meaning: AccelFrameMeaning): { x: number; y: number; z: number; timestampNs: bigint | null } {
  const axes: Partial<Record<'x' | 'y' | 'z', number>> = {};
  let timestampNs: bigint | null = null;
  for (const element of meaning.layout.elements) {
    const raw = decodeElement(frame, element.offset, element.type);
    if (element.name === 'in_timestamp') {
      timestampNs = raw;
      continue;
    }
    const axis = AXIS_OF[element.name];
    if (axis) axes[axis] = ((Number(raw) + (meaning.offset?.[axis] ?? 0)) * meaning.scale[axis]) / STANDARD_GRAVITY;
  }
  if (axes.x === undefined || axes.y === undefined || axes.z === undefined) throw new Error('frame layout lacks one of in_accel_x, _y, _z');
  return { x: axes.x, y: axes.y, z: axes.z, timestampNs };
}

const AXIS_OF: Record<string, 'x' | 'y' | 'z'> = { in_accel_x: 'x', in_accel_y: 'y', in_accel_z: 'z' };

/** A raw sysfs value (`in_accel_x_raw`, a decimal integer) to g; null when it is not one. */
export function rawToG(text: string, scale: number, offset = 0): number | null {
  const trimmed = text.trim();
  if (!/^-?\d+$/.test(trimmed)) return null;
  return ((Number(trimmed) + offset) * scale) / STANDARD_GRAVITY;
}
