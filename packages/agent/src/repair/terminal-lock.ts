import { join } from 'node:path';
import { z } from 'zod';
import { readStateFile, writeJsonAtomic } from '../core/state-file.js';

/**
 * The terminal's lock (issue 15, lost or stolen terminals): the hub's `lock` command sets it, `unlock`
 * clears it, and the payment app is told (control API `lock_state` and the `lock` event) so it stops
 * taking payments. Kept in `<state>/terminal-lock.json`, written atomically, so a restart, a crash or a
 * power cut leaves the terminal as locked as it was.
 *
 * Invariants:
 * - A lock file that exists but cannot be read or parsed reads as locked: corrupting it must not be a
 *   way to unlock a stolen terminal. Only `unlock` (the hub's command) writes it unlocked again.
 * - Listeners hear a change only: locking a locked terminal again keeps its first `since` and tells
 *   nobody, so a hub that sends `lock` at every connection does not flood the payment app.
 * - A locked terminal goes on diagnosing and reporting: nothing here stops any other part.
 */
export const LOCK_FILE = 'terminal-lock.json';

export interface LockState {
  locked: boolean;
  /** When it was locked (ISO); null when unlocked. */
  since: string | null;
  /** What the hub gave as the reason, or what made the file read as locked; null when none. */
  reason: string | null;
}

const lockFileSchema = z.strictObject({
  version: z.literal(1),
  locked: z.boolean(),
  since: z.string().nullable(),
  reason: z.string().max(256).nullable(),
});

const UNLOCKED: LockState = { locked: false, since: null, reason: null };

/** The lock as the file in `stateDir` holds it (read-only: `posdiag status` without a daemon uses this too). */
export function readLockState(stateDir: string, now: number): LockState {
  try {
    const file = readStateFile(join(stateDir, LOCK_FILE), lockFileSchema);
    return file ? { locked: file.locked, since: file.locked ? file.since : null, reason: file.locked ? file.reason : null } : UNLOCKED;
  } catch (err) {
    return { locked: true, since: new Date(now).toISOString(), reason: `unreadable lock file (${(err as Error).message})` };
  }
}

export class TerminalLock {
  private current: LockState;
  private readonly listeners: ((state: LockState) => void)[] = [];

  constructor(
    private readonly stateDir: string,
    now: number,
  ) {
    this.current = readLockState(stateDir, now);
  }

  state(): LockState {
    return this.current;
  }

  onChange(listener: (state: LockState) => void): void {
    this.listeners.push(listener);
  }

  /** Locks (durably, before resolving); throws when the state dir cannot be written. */
  lock(reason: string | null, now: number): LockState {
    if (this.current.locked && this.current.since !== null) return this.current;
    return this.set({ locked: true, since: new Date(now).toISOString(), reason });
  }

  unlock(): LockState {
    // An unreadable file reads as locked with no file behind it to trust: unlocking writes a good one.
    return this.current.locked ? this.set(UNLOCKED) : this.current;
  }

  private set(state: LockState): LockState {
    writeJsonAtomic(join(this.stateDir, LOCK_FILE), { version: 1, ...state } satisfies z.infer<typeof lockFileSchema>);
    this.current = state;
    for (const listener of this.listeners) listener(state);
    return state;
  }
}
