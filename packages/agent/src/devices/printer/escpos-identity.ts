import type { DeviceIdentity } from '../../core/readings.js';

/**
 * ESC/POS GS I n (`1D 49 n`): printer identity (protocols.md §1). n = 1..3 answer one byte
 * (`0xx0xxxx`): model ID, type ID, version ID. n = 65..69 answer a block `5F text 00`: firmware,
 * maker, model, serial number, and font (Epson) or code page (Bixolon). Pure functions, byte exact.
 */

/** The forms used for identity. 69 (font / code page) names no identity field and is not asked. */
export const IDENTITY_BYTE_KINDS = { modelId: 1, typeId: 2, versionId: 3 } as const;
export const IDENTITY_BLOCK_KINDS = { firmware: 65, maker: 66, model: 67, serial: 68 } as const;

export type IdentityByteField = keyof typeof IDENTITY_BYTE_KINDS;
export type IdentityBlockField = keyof typeof IDENTITY_BLOCK_KINDS;

/** GS I n. */
export function gsI(n: number): Buffer {
  if (!((n >= 1 && n <= 3) || (n >= 65 && n <= 69))) {
    throw new RangeError(`GS I form not supported: ${n}`);
  }
  return Buffer.from([0x1d, 0x49, n]);
}

/** A one-byte GS I reply (n ≤ 3) matches `0xx0xxxx`. */
export function isIdentityByte(b: number): boolean {
  return Number.isInteger(b) && b >= 0 && b <= 0xff && (b & 0x90) === 0;
}

/** First byte of a GS I block reply. */
export const BLOCK_HEADER = 0x5f;
export const BLOCK_END = 0x00;
/** The longest block text accepted; a longer run is noise, not an identity. */
export const MAX_BLOCK_TEXT = 80;

/** Block text is printable ASCII; anything else means the bytes were not a block after all. */
export function isBlockText(b: number): boolean {
  return b >= 0x20 && b <= 0x7e;
}

/** What a printer said about itself; a field it did not answer is absent. */
export interface PrinterIdentityReplies {
  modelId?: number;
  typeId?: number;
  versionId?: number;
  firmware?: string;
  maker?: string;
  model?: string;
  serial?: string;
}

/**
 * Replies → DeviceIdentity. Text blocks win; the one-byte IDs stand in (as `id 0x20`, `version 0x05`)
 * for printers that only know GS I 1..3. Returns undefined when the printer said nothing at all.
 */
export function identityFromReplies(r: PrinterIdentityReplies, address: string): DeviceIdentity | undefined {
  const hex = (b: number) => `0x${b.toString(16).padStart(2, '0')}`;
  const vendor = r.maker?.trim() || undefined;
  const model = r.model?.trim() || (r.modelId !== undefined ? `id ${hex(r.modelId)}` : undefined);
  const firmware = r.firmware?.trim() || (r.versionId !== undefined ? `version ${hex(r.versionId)}` : undefined);
  const serial = r.serial?.trim() || undefined;
  if (!vendor && !model && !firmware && !serial) return undefined;
  return {
    kind: 'printer',
    address,
    ...(vendor ? { vendor } : {}),
    ...(model ? { model } : {}),
    ...(firmware ? { firmware } : {}),
    ...(serial ? { serial } : {}),
  };
}
