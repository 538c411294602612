import type { Clock } from 'posdiag-protocol';
import type { OperatorStore } from '../store/store.js';
import type { AuditLog } from './audit.js';
import { DEFAULT_SCRYPT, hashPassword, needsRehash, verifyPassword, type ScryptParams } from './passwords.js';
import type { Principal } from './principal.js';
import { newSecret, secretHash } from './secrets.js';

/** A console session lasts this long from its login (then the operator logs in again). */
export const DEFAULT_SESSION_TTL_MS = 12 * 3_600_000;

/**
 * Console sessions (the console sets the id as a cookie): a login with name and password gives a
 * session id, which the store keeps only as its SHA-256. A session ends at its expiry, at logout, and
 * when its user is disabled. Every login is audited, failed ones too, and the failure never says
 * whether the name or the password was wrong.
 */
export class Sessions {
  constructor(
    private readonly store: OperatorStore,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    private readonly ttlMs = DEFAULT_SESSION_TTL_MS,
    private readonly scrypt?: ScryptParams,
  ) {}

  /** The new session's id and expiry, or null when the name and password do not make a login. */
  async createSession(name: string, password: string, remote: string | null): Promise<{ id: string; expiresAt: number } | null> {
    const user = await this.store.user(name);
    // Unknown names cost a hash too, so timing does not tell which names exist.
    const ok = (await verifyPassword(password, user?.passwordHash ?? unknownUserHash(this.scrypt))) && user !== undefined && !user.disabled;
    await this.audit.record({ principal: name, action: 'login', target: null, remote, outcome: ok ? 'ok' : 'denied', detail: ok ? null : 'wrong name or password, or user disabled' });
    if (!ok || !user) return null;
    // Parameters raised since this hash was made: stored anew now that the password is known.
    if (needsRehash(user.passwordHash, this.scrypt)) {
      await this.store.setPasswordHash(name, await hashPassword(password, this.scrypt));
    }
    const id = newSecret();
    const now = this.clock.now();
    const expiresAt = now + this.ttlMs;
    await this.store.addSession({ hash: secretHash(id), user: user.name, createdAt: now, expiresAt, remote });
    return { id, expiresAt };
  }

  /** Who holds session `id`, or null when it is unknown, expired, ended or its user is disabled. */
  async verifySession(id: string): Promise<Principal | null> {
    const found = await this.store.session(secretHash(id));
    if (!found || found.user.disabled || found.session.expiresAt <= this.clock.now()) return null;
    return { name: found.user.name, role: found.user.role, via: 'session' };
  }

  async endSession(id: string, remote: string | null): Promise<void> {
    const hash = secretHash(id);
    const found = await this.store.session(hash);
    await this.store.endSession(hash);
    if (found) await this.audit.record({ principal: found.user.name, action: 'logout', remote, outcome: 'ok' });
  }

  /** Forgets expired sessions (a periodic job's work; an expired one is refused either way). */
  prune(): Promise<number> {
    return this.store.pruneSessions(this.clock.now());
  }
}

/** A hash no password matches in practice, verified for unknown names at the cost of a real one. */
function unknownUserHash({ N, r, p }: ScryptParams = DEFAULT_SCRYPT): string {
  return `scrypt$${N}$${r}$${p}$${Buffer.alloc(16).toString('base64')}$${Buffer.alloc(32).toString('base64')}`;
}
