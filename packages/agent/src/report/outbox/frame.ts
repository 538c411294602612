import { crc32 } from 'node:zlib';

/**
 * Record framing of the outbox log: `u32le length | u32le crc32(payload) | payload`.
 *
 * Invariants: a frame decodes only if its whole payload is present and its checksum matches; a zero
 * length never decodes (a zero-filled tail, which some file systems leave after a crash, would
 * otherwise read as a run of valid empty frames). Decoding stops at the first frame that does not
 * decode, so everything before `goodLength` is intact and everything after it is cut.
 */

export const FRAME_HEADER_BYTES = 8;
/** Far above any entry the outbox writes; a larger length field can only be damage. */
export const MAX_PAYLOAD_BYTES = 16 * 1024 * 1024;

export function encodeFrame(payload: Uint8Array): Buffer {
  if (payload.length === 0 || payload.length > MAX_PAYLOAD_BYTES) {
    throw new RangeError(`outbox frame payload of ${payload.length} bytes is outside 1..${MAX_PAYLOAD_BYTES}`);
  }
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  frame.writeUInt32LE(payload.length, 0);
  frame.writeUInt32LE(crc32(payload), 4);
  frame.set(payload, FRAME_HEADER_BYTES);
  return frame;
}

export interface DecodedFrames {
  payloads: Buffer[];
  /** Bytes from the start that hold whole, valid frames. */
  goodLength: number;
  /** Why decoding stopped before the end: `torn` = incomplete last frame, `corrupt` = bad length or checksum. */
  damage: 'torn' | 'corrupt' | null;
}

export function decodeFrames(bytes: Buffer): DecodedFrames {
  const payloads: Buffer[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    if (bytes.length - offset < FRAME_HEADER_BYTES) return { payloads, goodLength: offset, damage: 'torn' };
    const length = bytes.readUInt32LE(offset);
    if (length === 0 || length > MAX_PAYLOAD_BYTES) return { payloads, goodLength: offset, damage: 'corrupt' };
    const end = offset + FRAME_HEADER_BYTES + length;
    if (end > bytes.length) return { payloads, goodLength: offset, damage: 'torn' };
    const payload = bytes.subarray(offset + FRAME_HEADER_BYTES, end);
    if (crc32(payload) !== bytes.readUInt32LE(offset + 4)) return { payloads, goodLength: offset, damage: 'corrupt' };
    payloads.push(payload);
    offset = end;
  }
  return { payloads, goodLength: offset, damage: null };
}
