import { randomBytes, randomInt } from 'node:crypto';

/** Letters and digits nobody confuses read aloud or from a receipt: no 0/O, 1/I/L, 2/Z, 5/S, 8/B, U/V. */
export const REF_ALPHABET = '34679ACDEFGHJKMNPQRTWXY';
const REF_LENGTH = 6;

/** A work order's short reference, e.g. WO-7K3F9Q: 23^6 ≈ 148 million; the store's unique index catches a clash. */
export function newRef(): string {
  let s = '';
  for (let i = 0; i < REF_LENGTH; i++) s += REF_ALPHABET[randomInt(REF_ALPHABET.length)];
  return `WO-${s}`;
}

/** A reference as people type it from a receipt or read it over the phone: `wo-7k3f9q`, `7K3F9Q`, with spaces. */
export function normalRef(text: string): string {
  const s = text.trim().toUpperCase().replace(/\s+/g, '');
  return s.startsWith('WO-') ? s : `WO-${s}`;
}

/** The merchant page's token: 128 random bits, URL-safe. Knowing it is the only access the page needs. */
export function newToken(): string {
  return randomBytes(16).toString('base64url');
}

export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{22}$/;
