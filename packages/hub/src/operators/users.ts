import type { Clock } from 'posdiag-protocol';
import type { ApiTokenRecord, OperatorStore } from '../store/store.js';
import type { AuditLog } from './audit.js';
import { hashPassword, passwordProblem, type ScryptParams } from './passwords.js';
import type { Principal } from './principal.js';
import type { Role } from './roles.js';
import { API_TOKEN_PREFIX, newSecret, newTokenId, secretHash } from './secrets.js';

/** A user-management request that cannot be done; the message says why, in one line. */
export class OperatorError extends Error {
  override name = 'OperatorError';
}

const USER_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

export function userNameProblem(name: string): string | null {
  return USER_NAME.test(name) ? null : `user name "${name}" must be 1 to 64 letters, digits or . _ @ - (starting with a letter or digit)`;
}

/** A user as shown (`user list`, the API): never the password hash. */
export interface UserView {
  name: string;
  role: Role;
  disabled: boolean;
  createdAt: number;
  tokens: ApiTokenRecord[];
}

/**
 * Managing operators: users, their roles, their personal API tokens. Every change is audited under
 * `by`, the principal who made it; a refused change is audited as failed and throws OperatorError.
 */
export class Users {
  constructor(
    private readonly store: OperatorStore,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    private readonly scrypt?: ScryptParams,
  ) {}

  async add(name: string, role: Role, password: string, by: Principal, remote: string | null = null): Promise<void> {
    const problem = userNameProblem(name) ?? passwordProblem(password);
    const added =
      problem === null &&
      (await this.store.addUser({ name, role, passwordHash: await hashPassword(password, this.scrypt), disabled: false, createdAt: this.clock.now() }));
    const why = problem ?? (added ? null : `user ${name} exists already`);
    await this.audit.record({ principal: by.name, action: 'user.add', target: name, remote, outcome: why ? 'failed' : 'ok', detail: why ?? `role ${role}` });
    if (why) throw new OperatorError(why);
  }

  async list(): Promise<UserView[]> {
    const users = await this.store.users();
    return Promise.all(users.map(async (u) => ({ name: u.name, role: u.role, disabled: u.disabled, createdAt: u.createdAt, tokens: await this.store.tokens(u.name) })));
  }

  /** Disabled: the user's tokens and sessions no longer let anyone in (the tokens come back if enabled again). */
  async disable(name: string, by: Principal, remote: string | null = null): Promise<void> {
    const changed = await this.store.setUserDisabled(name, true);
    await this.audit.record({ principal: by.name, action: 'user.disable', target: name, remote, outcome: changed ? 'ok' : 'failed', detail: changed ? null : 'no such user' });
    if (!changed) throw new OperatorError(`no user ${name}`);
  }

  /** A new personal API token for `name`, returned once: the store keeps only its SHA-256. */
  async issueToken(name: string, tokenName: string, by: Principal, remote: string | null = null): Promise<{ id: string; token: string }> {
    const user = await this.store.user(name);
    if (!user || user.disabled) {
      const why = user ? `user ${name} is disabled` : `no user ${name}`;
      await this.audit.record({ principal: by.name, action: 'token.issue', target: name, remote, outcome: 'failed', detail: why });
      throw new OperatorError(why);
    }
    const token = newSecret(API_TOKEN_PREFIX);
    const id = newTokenId();
    await this.store.addToken({ id, user: user.name, name: tokenName, hash: secretHash(token), createdAt: this.clock.now(), lastUsed: null, revokedAt: null });
    await this.audit.record({ principal: by.name, action: 'token.issue', target: name, remote, outcome: 'ok', detail: `token ${id} (${tokenName})` });
    return { id, token };
  }

  async revokeToken(name: string, id: string, by: Principal, remote: string | null = null): Promise<void> {
    const revoked = await this.store.revokeToken(name, id, this.clock.now());
    await this.audit.record({ principal: by.name, action: 'token.revoke', target: name, remote, outcome: revoked ? 'ok' : 'failed', detail: `token ${id}` });
    if (!revoked) throw new OperatorError(`user ${name} has no live token ${id}`);
  }
}
