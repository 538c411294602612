import { createHash, randomBytes } from 'node:crypto';

/**
 * The bearer secrets operators hold: personal API tokens and console session ids. Each is 32 random
 * bytes, shown once; the store keeps only its SHA-256, so a copy of the database lets nobody in. A
 * plain hash suffices (no KDF): the secret has 256 bits of entropy, nothing to guess.
 */
export const API_TOKEN_PREFIX = 'pdh_';

export function newSecret(prefix = ''): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

export function secretHash(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** A short id to name a token by (in `user list`, to revoke it): not secret. */
export function newTokenId(): string {
  return randomBytes(4).toString('hex');
}
