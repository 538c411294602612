import type { Clock } from 'posdiag-protocol';
import type { OperatorStore } from '../store/store.js';
import { AuditLog } from './audit.js';
import { Authenticator } from './authenticator.js';
import type { ScryptParams } from './passwords.js';
import { DEFAULT_SESSION_TTL_MS, Sessions } from './sessions.js';
import { Users } from './users.js';

export interface OperatorsOptions {
  /** The `--api-token-file` token, an admin's. */
  apiToken?: string | undefined;
  sessionTtlMs?: number;
  /** Tests lower the cost; the hub uses passwords.ts's default. */
  scrypt?: ScryptParams;
}

/** Operators as the hub and the CLI use them: one audit log shared by users, sessions and authentication. */
export interface Operators {
  audit: AuditLog;
  users: Users;
  sessions: Sessions;
  auth: Authenticator;
}

export function createOperators(store: OperatorStore, clock: Clock, options: OperatorsOptions = {}): Operators {
  const audit = new AuditLog(store, clock);
  return {
    audit,
    users: new Users(store, audit, clock, options.scrypt),
    sessions: new Sessions(store, audit, clock, options.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS, options.scrypt),
    auth: new Authenticator(store, clock, options.apiToken),
  };
}
