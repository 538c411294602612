import { crc32 } from 'node:zlib';

/**
 * The outbox's seq mark: the highest seq handed out, in a small file of fixed length rewritten in
 * place. The log itself carries every seq written to disk; the mark covers the ones handed out while
 * the disk failed (memory mode), so that a crash then does not hand them out again after restart (the
 * hub would see two reports under one seq instead of the gap that honestly says reports were lost).
 * Rewriting blocks a file already has needs no free space, which is what a full disk lacks; a disk
 * that fails every write defeats it, and then seqs can repeat after a crash.
 *
 * Format: 20 decimal digits, a space, the crc32 of those digits in 8 hex digits, a newline (30 bytes:
 * one sector, so a rewrite is whole or not at all on the devices we run on; the checksum catches the rest).
 */
export const SEQ_MARK_FILE = 'outbox.seq';
const SEQ_MARK = /^(\d{20}) ([0-9a-f]{8})\n$/;

export function encodeSeqMark(seq: number): Buffer {
  const digits = String(seq).padStart(20, '0');
  return Buffer.from(`${digits} ${crc32(digits).toString(16).padStart(8, '0')}\n`, 'latin1');
}

/** The seq in a mark file's bytes; undefined for a damaged or foreign file (the log still knows the rest). */
export function decodeSeqMark(bytes: Buffer): number | undefined {
  const m = SEQ_MARK.exec(bytes.toString('latin1'));
  if (!m || crc32(m[1]!).toString(16).padStart(8, '0') !== m[2]) return undefined;
  const seq = Number(m[1]);
  return Number.isSafeInteger(seq) ? seq : undefined;
}
