import { chmodSync, closeSync, fchmodSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Modes of what the agent writes under `paths.state` and `paths.logs` (outbox, state files, the
 * diagnostic log): the service's user reads and writes, its group (the payment app, the technician's
 * tools) reads, nobody else. Set explicitly, because mkdir(2)/open(2) modes are masked by the umask:
 * under the common 022 a plain open makes 0644 files in 0755 directories, readable by any local user.
 */
export const OWN_FILE_MODE = 0o640;
export const OWN_DIR_MODE = 0o750;

/**
 * Creates `dir` and its missing parents with OWN_DIR_MODE, whatever the umask. Directories that exist
 * already keep their mode: one of them may be shared (`/var/log`), and tightening it is the installer's
 * call (systemd's StateDirectory=/LogsDirectory=), not ours.
 */
export function makeOwnDir(dir: string): void {
  const firstCreated = mkdirSync(dir, { recursive: true });
  if (firstCreated === undefined) return;
  for (let d = dir; ; d = dirname(d)) {
    chmodSync(d, OWN_DIR_MODE);
    if (d === firstCreated || d === dirname(d)) return;
  }
}

/**
 * Opens `path` (`flags` as for fs.openSync, creating it when they say so) and gives it OWN_FILE_MODE,
 * whatever the umask and whatever mode an older version created it with. A file another user owns
 * keeps its mode (fchmod is its owner's call): we only need to be able to write it.
 */
export function openOwnFile(path: string, flags: string | number): number {
  const fd = openSync(path, flags, OWN_FILE_MODE);
  try {
    fchmodSync(fd, OWN_FILE_MODE);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') {
      closeSync(fd);
      throw err;
    }
  }
  return fd;
}
