/**
 * ESC/POS DLE ENQ n (`10 05 n`): recover from an autocutter or mechanical error once its cause is
 * gone (protocols.md §1). n = 1 restarts printing from the line where the error occurred; n = 2
 * clears the receive and print buffers first. Unrecoverable errors need a power cycle instead.
 */
export type RecoveryMode = 1 | 2;

export function dleEnq(n: RecoveryMode): Buffer {
  if (n !== 1 && n !== 2) throw new RangeError(`DLE ENQ form not supported: ${String(n)}`);
  return Buffer.from([0x10, 0x05, n]);
}

/**
 * What self-recovery sends: buffers cleared, because a receipt half printed before a jam minutes ago
 * is worse re-printed than lost (the payment app prints it again if the merchant asks).
 */
export const SELF_RECOVERY = dleEnq(2);
