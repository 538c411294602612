/**
 * What each operator role may do in the HTTP API. The roles are ordered: each may do everything the one
 * before it may.
 *
 * - viewer: read (GET) only;
 * - technician: also work the repair orders assigned to them (move them, add details and attachments);
 * - operator: also act on the fleet (commands to terminals; any non-GET request outside the admin paths),
 *   and work or assign any order;
 * - admin: also the audit log, user management and what hands out a terminal's credential (its swap file).
 */
export const ROLES = ['viewer', 'technician', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** Paths (and everything under them) only an admin may use, whatever the method. */
const ADMIN_PATHS = ['/api/audit', '/api/users'];

/** A terminal's swap file from the hub (workorders/swap-file-api.ts): a GET, but it holds the terminal's token. */
const CREDENTIAL_PATH = /^\/api\/terminals\/[^/]+\/swap$/;

/** What a technician does on one work order; the order's API checks it is assigned to them. */
const TECHNICIAN_PATHS = /^\/api\/workorders\/[1-9][0-9]{0,15}\/(?:transition|details|attachments)$/;

/** The least role a request needs: by its path first, then by whether it only reads. */
export function requiredRole(method: string | undefined, pathname: string): Role {
  if (ADMIN_PATHS.some((p) => pathname === p || pathname.startsWith(`${p}/`)) || CREDENTIAL_PATH.test(pathname)) return 'admin';
  if (method === 'GET' || method === 'HEAD') return 'viewer';
  return TECHNICIAN_PATHS.test(pathname) ? 'technician' : 'operator';
}

export function roleAllows(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}
