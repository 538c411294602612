/**
 * ESC/POS real-time status: DLE EOT n requests and their 1-byte replies (protocols.md §1).
 * Pure functions, byte exact. Bit 0 is the least significant bit.
 */

/** The four DLE EOT status kinds: 1 printer, 2 offline cause, 3 error cause, 4 roll paper. */
export type StatusKind = 1 | 2 | 3 | 4;
export const STATUS_KINDS: readonly StatusKind[] = [1, 2, 3, 4];

/** DLE EOT n (`10 04 n`): the printer answers one byte immediately, even offline or in error. */
export function dleEot(n: StatusKind): Buffer {
  return Buffer.from([0x10, 0x04, n]);
}

/**
 * Every DLE EOT reply matches `0xx1xx10`: bits 0 and 7 clear, bits 1 and 4 set. This is what tells
 * a reply apart from ASB packets, XON/XOFF and noise.
 */
export function isStatusReply(b: number): boolean {
  return (b & 0x93) === 0x12;
}

/** Whether bit `n` (0 = LSB) of `b` is set. */
export const bit = (b: number, n: number): boolean => (b & (1 << n)) !== 0;

/** n=1. A healthy printer answers 0x12, or 0x16 when drawer pin 3 is high. */
export interface PrinterStatus {
  drawerPinHigh: boolean; // bit 2
  offline: boolean; // bit 3
  waitingForRecovery: boolean; // bit 5 (some models)
  feedButtonPressed: boolean; // bit 6 (some models)
}

/** n=2: why the printer is offline. */
export interface OfflineCauseStatus {
  coverOpen: boolean; // bit 2
  feedButtonFeeding: boolean; // bit 3
  paperEndStop: boolean; // bit 5
  errorOccurred: boolean; // bit 6
}

/** n=3: which error. Autocutter and mechanical errors clear with DLE ENQ once fixed; unrecoverable needs a power cycle. */
export interface ErrorCauseStatus {
  mechanicalError: boolean; // bit 2 (some models)
  autocutterError: boolean; // bit 3
  unrecoverableError: boolean; // bit 5
  autoRecoverableError: boolean; // bit 6: head too hot (or cover opened while printing on some models)
}

/** n=4: roll paper sensors. Each condition is reported on two bits; either bit counts. */
export interface PaperStatus {
  nearEnd: boolean; // bits 2+3 (0x0C)
  paperEnd: boolean; // bits 5+6 (0x60)
}

/** Throws on a byte that is not a status reply: callers decode only what `isStatusReply` accepted. */
function checked(b: number): number {
  if (!Number.isInteger(b) || b < 0 || b > 0xff || !isStatusReply(b)) {
    throw new RangeError(`not a DLE EOT reply: 0x${b.toString(16).padStart(2, '0')}`);
  }
  return b;
}

export function decodePrinterStatus(byte: number): PrinterStatus {
  const b = checked(byte);
  return { drawerPinHigh: bit(b, 2), offline: bit(b, 3), waitingForRecovery: bit(b, 5), feedButtonPressed: bit(b, 6) };
}

export function decodeOfflineCause(byte: number): OfflineCauseStatus {
  const b = checked(byte);
  return { coverOpen: bit(b, 2), feedButtonFeeding: bit(b, 3), paperEndStop: bit(b, 5), errorOccurred: bit(b, 6) };
}

export function decodeErrorCause(byte: number): ErrorCauseStatus {
  const b = checked(byte);
  return {
    mechanicalError: bit(b, 2),
    autocutterError: bit(b, 3),
    unrecoverableError: bit(b, 5),
    autoRecoverableError: bit(b, 6),
  };
}

export function decodePaperStatus(byte: number): PaperStatus {
  const b = checked(byte);
  return { nearEnd: (b & 0x0c) !== 0, paperEnd: (b & 0x60) !== 0 };
}

/** The four replies of one DLE EOT 1..4 round, as raw bytes; a missing one was not answered. */
export interface StatusBytes {
  printer?: number;
  offlineCause?: number;
  errorCause?: number;
  paper?: number;
}

export const STATUS_FIELD: Record<StatusKind, keyof StatusBytes> = {
  1: 'printer',
  2: 'offlineCause',
  3: 'errorCause',
  4: 'paper',
};
