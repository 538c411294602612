import type { ChildProcess } from 'node:child_process';

/**
 * Signals a child process only if it really started and has not yet exited; says whether it sent one.
 *
 * Node 20 keeps the handle of a child whose spawn failed (ENOENT, EACCES: no pid) and `kill()` on it
 * signals whatever pid libuv never set: kill(0, SIGTERM) — our own process group, CI and all — or a
 * random pid. Every kill of a child we spawned goes through here.
 */
export function signalChild(child: ChildProcess, signal: NodeJS.Signals): boolean {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return false;
  return child.kill(signal);
}
