import { bit } from './escpos-status.js';

/**
 * ESC/POS Automatic Status Back (GS a n): the printer sends a 4-byte packet on every status change in
 * an enabled category, and once with the current state when ASB is enabled (protocols.md §1).
 */

/** GS a n categories (bits of n). n = 0 turns ASB off. */
export const ASB_DRAWER = 0x01;
export const ASB_ONLINE = 0x02;
export const ASB_ERROR = 0x04;
export const ASB_PAPER = 0x08;
/** Everything a roll printer can report. */
export const ASB_ALL = ASB_DRAWER | ASB_ONLINE | ASB_ERROR | ASB_PAPER;

/** GS a n (`1D 61 n`). */
export function enableAsb(mask: number): Buffer {
  if (!Number.isInteger(mask) || mask < 0 || mask > 0xff) throw new RangeError(`ASB mask out of range: ${mask}`);
  return Buffer.from([0x1d, 0x61, mask]);
}

/** Byte 1 matches `0xx1xx00`. */
export function isAsbHeader(b: number): boolean {
  return (b & 0x93) === 0x10;
}

/** Bytes 2-4 match `0xx0xxxx`. */
export function isAsbBody(b: number): boolean {
  return (b & 0x90) === 0;
}

export interface AsbStatus {
  // byte 1
  drawerPinHigh: boolean; // bit 2
  offline: boolean; // bit 3
  coverOpen: boolean; // bit 5
  feedButtonPressed: boolean; // bit 6
  // byte 2
  waitingForRecovery: boolean; // bit 0
  mechanicalError: boolean; // bit 2
  autocutterError: boolean; // bit 3
  unrecoverableError: boolean; // bit 5
  autoRecoverableError: boolean; // bit 6
  // byte 3
  nearEnd: boolean; // 0x03
  paperEnd: boolean; // 0x0C
}

/** Throws on a packet that does not have ASB shape: callers decode what the frame parser accepted. */
export function decodeAsb(packet: Uint8Array): AsbStatus {
  const [b1, b2, b3, b4] = packet;
  if (
    packet.length !== 4 ||
    b1 === undefined ||
    b2 === undefined ||
    b3 === undefined ||
    b4 === undefined ||
    !isAsbHeader(b1) ||
    !isAsbBody(b2) ||
    !isAsbBody(b3) ||
    !isAsbBody(b4)
  ) {
    throw new RangeError(`not an ASB packet: ${Buffer.from(packet).toString('hex')}`);
  }
  return {
    drawerPinHigh: bit(b1, 2),
    offline: bit(b1, 3),
    coverOpen: bit(b1, 5),
    feedButtonPressed: bit(b1, 6),
    waitingForRecovery: bit(b2, 0),
    mechanicalError: bit(b2, 2),
    autocutterError: bit(b2, 3),
    unrecoverableError: bit(b2, 5),
    autoRecoverableError: bit(b2, 6),
    nearEnd: (b3 & 0x03) !== 0,
    paperEnd: (b3 & 0x0c) !== 0,
  };
}
