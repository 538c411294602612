import type { Clock } from 'posdiag-protocol';
import { bearerToken, secretsEqual } from '../auth.js';
import type { OperatorStore } from '../store/store.js';
import { API_TOKEN_FILE_PRINCIPAL, OPEN_PRINCIPAL, type Principal } from './principal.js';
import { secretHash } from './secrets.js';

/** A token's last use is written back at most this often: not a write per request. */
const LAST_USED_RESOLUTION_MS = 60_000;

export type Authentication = { ok: true; principal: Principal } | { ok: false; reason: string };

/**
 * Who an API request is, from its `Authorization: Bearer` header: the `--api-token-file` token (an
 * admin), or a user's personal token (that user's role; refused once revoked or the user is disabled).
 * A hub with neither an API token nor any user is open (loopback only, api-auth.ts), as it was before
 * operators; once a user is added it never is again (a disabled user still counts).
 */
export class Authenticator {
  /** Sticky: users are never deleted, only disabled. */
  private usersExist = false;

  constructor(
    private readonly store: OperatorStore,
    private readonly clock: Clock,
    private readonly apiToken: string | undefined,
  ) {}

  /** Whether requests need a token now. */
  async closed(): Promise<boolean> {
    if (this.apiToken !== undefined || this.usersExist) return true;
    this.usersExist = await this.store.anyUsers();
    return this.usersExist;
  }

  async authenticate(authorization: string | undefined): Promise<Authentication> {
    if (!(await this.closed())) return { ok: true, principal: OPEN_PRINCIPAL };
    if (authorization === undefined) return { ok: false, reason: 'API token required: send Authorization: Bearer <token>' };
    const given = bearerToken(authorization);
    if (given === null) return { ok: false, reason: 'Authorization header is not "Bearer <token>"' };
    if (this.apiToken !== undefined && secretsEqual(given, this.apiToken)) return { ok: true, principal: API_TOKEN_FILE_PRINCIPAL };
    // Looked up by the SHA-256 of a 256-bit secret: the lookup's timing tells nothing worth knowing.
    const found = await this.store.tokenByHash(secretHash(given));
    if (!found) return { ok: false, reason: 'wrong API token' };
    if (found.user.disabled) return { ok: false, reason: `wrong API token (user ${found.user.name} is disabled)` };
    const now = this.clock.now();
    if (found.token.lastUsed === null || now - found.token.lastUsed >= LAST_USED_RESOLUTION_MS) await this.store.tokenUsed(found.token.id, now);
    return { ok: true, principal: { name: found.user.name, role: found.user.role, via: 'user-token' } };
  }
}
