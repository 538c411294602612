import { readFileSync, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** The name of a uid or gid from /etc/passwd or /etc/group (`name:x:id:…`), else the number. */
function nameOf(database: '/etc/passwd' | '/etc/group', id: number): string {
  try {
    for (const line of readFileSync(database, 'utf8').split('\n')) {
      const [name, , number] = line.split(':');
      if (name && Number(number) === id) return name;
    }
  } catch {
    // No such database (a minimal container): the number still says it.
  }
  return String(id);
}

/** `path`'s own status, or that of its nearest ancestor this user may look at (a 0750 directory hides its files). */
function nearestStat(path: string): Stats | undefined {
  for (let p = resolve(path); ; p = dirname(p)) {
    try {
      return statSync(p);
    } catch {
      if (p === dirname(p)) return undefined;
    }
  }
}

/**
 * What to do about "permission denied" on `path`: run as a member of the group that owns it (the
 * service's group, for the control socket, the log and the state), or as its owner when its group may
 * not use it either.
 */
export function permissionHint(path: string): string {
  const stats = nearestStat(path);
  if (!stats) return 'run as a user who may open it';
  if ((stats.mode & 0o070) !== 0) return `run as a member of group "${nameOf('/etc/group', stats.gid)}"`;
  return `run as user "${nameOf('/etc/passwd', stats.uid)}"`;
}
