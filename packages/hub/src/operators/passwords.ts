import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Operators' passwords, hashed with scrypt (memory-hard). The parameters are stored with each hash, so
 * they can be raised later: a hash made with older ones still verifies, and `needsRehash` says when a
 * successful login should store a new one.
 *
 * Stored form: `scrypt$N$r$p$SALT$HASH`, salt and hash in base64.
 */
export interface ScryptParams {
  /** CPU/memory cost, a power of two. Memory used is 128 × N × r bytes (32 MiB for the default). */
  N: number;
  r: number;
  p: number;
}

/** OWASP's scrypt recommendation (N = 2^15, r = 8, p = 1 with at least 32 MiB). */
export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 15, r: 8, p: 1 };

const SALT_BYTES = 16;
const KEY_BYTES = 32;
export const MIN_PASSWORD_CHARS = 8;

function derive(password: string, salt: Buffer, params: ScryptParams, keyBytes: number): Promise<Buffer> {
  // maxmem must cover 128 × N × r, with room to spare, or Node refuses the parameters.
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r };
  return new Promise((resolve, reject) => scrypt(password.normalize('NFC'), salt, keyBytes, options, (err, key) => (err ? reject(err) : resolve(key))));
}

export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, params, KEY_BYTES);
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

interface ParsedHash {
  params: ScryptParams;
  salt: Buffer;
  key: Buffer;
}

function parseHash(stored: string): ParsedHash | null {
  const m = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(stored);
  if (!m) return null;
  return { params: { N: Number(m[1]), r: Number(m[2]), p: Number(m[3]) }, salt: Buffer.from(m[4]!, 'base64'), key: Buffer.from(m[5]!, 'base64') };
}

/** The parameters a stored hash was made with, or null for a hash this hub cannot read. */
export function hashParams(stored: string): ScryptParams | null {
  return parseHash(stored)?.params ?? null;
}

/** Whether `password` is the one `stored` was made from; compared in constant time. An unreadable hash verifies nothing. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed || parsed.key.length === 0) return false;
  const key = await derive(password, parsed.salt, parsed.params, parsed.key.length);
  return timingSafeEqual(key, parsed.key);
}

/** True when `stored` was made with weaker parameters than `params` (re-hash it at the next login). */
export function needsRehash(stored: string, params: ScryptParams = DEFAULT_SCRYPT): boolean {
  const found = hashParams(stored);
  return !found || found.N < params.N || found.r < params.r || found.p < params.p;
}

/** Why a new password is refused, or null when it will do. */
export function passwordProblem(password: string): string | null {
  if ([...password].length < MIN_PASSWORD_CHARS) return `the password must have at least ${MIN_PASSWORD_CHARS} characters`;
  return null;
}
