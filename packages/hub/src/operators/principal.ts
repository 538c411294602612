import type { Role } from './roles.js';

/**
 * Who a request is. `name` is what the audit log shows: a user's name, or one of the fixed names below.
 */
export interface Principal {
  name: string;
  role: Role;
  via: 'user-token' | 'session' | 'api-token-file' | 'open' | 'cli';
}

/** The `--api-token-file` token: an admin. */
export const API_TOKEN_FILE_PRINCIPAL: Principal = { name: 'api-token-file', role: 'admin', via: 'api-token-file' };

/** A loopback hub with neither an API token nor any user: open, as before there were operators. */
export const OPEN_PRINCIPAL: Principal = { name: 'loopback', role: 'admin', via: 'open' };

/** Who ran `posdiag hub user …` on the hub's machine: the OS user. */
export function cliPrincipal(osUser: string): Principal {
  return { name: `cli:${osUser}`, role: 'admin', via: 'cli' };
}
