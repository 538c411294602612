import { describe, expect, it } from 'vitest';
import { DEFAULT_SCRYPT, hashParams, hashPassword, needsRehash, passwordProblem, verifyPassword } from '../../src/operators/passwords.js';

/** Cheap parameters where the cost is not what is tested. */
const FAST = { N: 1024, r: 8, p: 1 };

describe('operator passwords (scrypt)', () => {
  it('verifies the password it was made from, with the default parameters stored in the hash', async () => {
    const stored = await hashPassword('correct horse battery');
    expect(stored).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(hashParams(stored)).toEqual(DEFAULT_SCRYPT);
    expect(await verifyPassword('correct horse battery', stored)).toBe(true);
    expect(stored).not.toContain('correct horse battery');
  });

  it('refuses a wrong password, and a hash it cannot read', async () => {
    const stored = await hashPassword('correct horse battery', FAST);
    expect(await verifyPassword('correct horse batterY', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
    expect(await verifyPassword('correct horse battery', 'md5$abc')).toBe(false);
    expect(await verifyPassword('correct horse battery', stored.replace(/\$[^$]+$/, '$'))).toBe(false);
  });

  it('salts every hash, and verifies one made with other parameters by the parameters stored', async () => {
    const a = await hashPassword('same password', FAST);
    const b = await hashPassword('same password', FAST);
    expect(a).not.toBe(b);
    expect(hashParams(a)).toEqual(FAST);
    expect(await verifyPassword('same password', a)).toBe(true);
  });

  it('says when a hash was made with weaker parameters than the current ones', async () => {
    const weak = await hashPassword('some password', FAST);
    expect(needsRehash(weak)).toBe(true);
    expect(needsRehash(weak, FAST)).toBe(false);
    expect(needsRehash('garbage')).toBe(true);
  });

  it('wants at least 8 characters in a new password', () => {
    expect(passwordProblem('short')).toMatch(/at least 8 characters/);
    expect(passwordProblem('long enough')).toBeNull();
  });
});
