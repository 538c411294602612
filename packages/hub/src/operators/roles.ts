/**
 * What each operator role may do in the HTTP API. The roles are ordered: each may do everything the one
 * before it may.
 *
 * - viewer: read (GET) only;
 * - operator: also act on the fleet (commands to terminals; any non-GET request outside the admin paths);
 * - admin: also the audit log and user management.
 */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** Paths (and everything under them) only an admin may use, whatever the method. */
const ADMIN_PATHS = ['/api/audit', '/api/users'];

/** The least role a request needs: by its path first, then by whether it only reads. */
export function requiredRole(method: string | undefined, pathname: string): Role {
  if (ADMIN_PATHS.some((p) => pathname === p || pathname.startsWith(`${p}/`))) return 'admin';
  return method === 'GET' || method === 'HEAD' ? 'viewer' : 'operator';
}

export function roleAllows(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}
