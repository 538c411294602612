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

/**
 * `path`'s status, or that of its nearest ancestor this user may look at, with what the ancestor's
 * group needs to allow: searching it (a 0750 directory hides its files) or, for a path still to be
 * created, writing it too.
 */
function nearestStat(path: string): { stats: Stats; groupNeeds: number } | undefined {
  let childMissing = false;
  for (let p = resolve(path), self = true; ; p = dirname(p), self = false) {
    try {
      const stats = statSync(p);
      // Its own file: any group permission is what the group was given it for.
      return { stats, groupNeeds: self ? 0o070 : childMissing ? 0o030 : 0o010 };
    } catch (err) {
      if (p === dirname(p)) return undefined;
      childMissing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    }
  }
}

/**
 * What to do about "permission denied" on `path`: run as a member of the group that owns it (the
 * service's group, for the control socket, the log and the state), or as its owner when its group may
 * not use it either.
 */
export function permissionHint(path: string): string {
  const found = nearestStat(path);
  if (!found) return 'run as a user who may open it';
  const { stats, groupNeeds } = found;
  const groupMay = groupNeeds === 0o070 ? (stats.mode & 0o070) !== 0 : (stats.mode & groupNeeds) === groupNeeds;
  if (groupMay) return `run as a member of group "${nameOf('/etc/group', stats.gid)}"`;
  return `run as user "${nameOf('/etc/passwd', stats.uid)}"`;
}
