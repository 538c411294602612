import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LOCK_FILE, readLockState, TerminalLock, type LockState } from '../../src/repair/terminal-lock.js';

const T0 = Date.UTC(2026, 2, 1, 8, 0, 0);

describe('the terminal lock (state dir)', () => {
  const dirs: string[] = [];
  const stateDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'posdiag-lock-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('is unlocked with no file, and a lock survives a new instance (a restart) with its since and reason', () => {
    const dir = stateDir();
    const lock = new TerminalLock(dir, T0);
    expect(lock.state()).toEqual({ locked: false, since: null, reason: null });
    lock.lock('reported stolen', T0 + 1000);
    const after = new TerminalLock(dir, T0 + 60_000);
    expect(after.state()).toEqual({ locked: true, since: '2026-03-01T08:00:01.000Z', reason: 'reported stolen' });
    expect(statSync(join(dir, LOCK_FILE)).mode & 0o777).toBe(0o640);
    after.unlock();
    expect(new TerminalLock(dir, T0).state()).toEqual({ locked: false, since: null, reason: null });
  });

  it('tells its listeners of changes only: a second lock keeps the first since and is not news', () => {
    const lock = new TerminalLock(stateDir(), T0);
    const heard: LockState[] = [];
    lock.onChange((s) => heard.push(s));
    lock.lock(null, T0);
    lock.lock('again', T0 + 5000);
    lock.unlock();
    lock.unlock();
    expect(heard).toEqual([
      { locked: true, since: '2026-03-01T08:00:00.000Z', reason: null },
      { locked: false, since: null, reason: null },
    ]);
  });

  it('a lock file that cannot be parsed reads as locked (corrupting it is no way to unlock); unlock writes a good one', () => {
    const dir = stateDir();
    writeFileSync(join(dir, LOCK_FILE), '{"version":1,"locked":fa');
    const state = readLockState(dir, T0);
    expect(state.locked).toBe(true);
    expect(state.reason).toMatch(/^unreadable lock file/);
    const lock = new TerminalLock(dir, T0);
    lock.unlock();
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'))).toEqual({ version: 1, locked: false, since: null, reason: null });
    expect(readLockState(dir, T0).locked).toBe(false);
  });
});
