import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../../test/support/fake-clock.js';
import { createFileLogger, type FileLoggerHandle, type FileLoggerOptions } from '../../src/log/file-logger.js';
import { nodeLogFs, type LogFs } from '../../src/log/log-fs.js';
import { LOG_RETRY_MS, type LogStorageChange } from '../../src/log/rotating-file.js';

/**
 * The real file system, except that while `failure` is set the operations in `only` (default: every
 * write-side one) fail with it. `tornWrites` makes a failing write put half its bytes down first, as a
 * disk filling up does; `calls` counts the write attempts.
 */
function faultyFs() {
  const control = { failure: null as string | null, only: null as Set<string> | null, tornWrites: false, writeAttempts: 0 };
  const check = (op: string) => {
    if (control.failure && (!control.only || control.only.has(op))) throw Object.assign(new Error(`${control.failure}: injected at ${op}`), { code: control.failure });
  };
  const fs: LogFs = {
    ...nodeLogFs,
    mkdir: (dir) => (check('mkdir'), nodeLogFs.mkdir(dir)),
    openAppend: (path) => (check('openAppend'), nodeLogFs.openAppend(path)),
    write(fd, data, offset) {
      control.writeAttempts++;
      if (control.failure && control.tornWrites && offset === 0 && (!control.only || control.only.has('write'))) return nodeLogFs.write(fd, data.subarray(0, data.length >> 1), 0);
      check('write');
      return nodeLogFs.write(fd, data, offset);
    },
    truncate: (fd, length) => (check('truncate'), nodeLogFs.truncate(fd, length)),
    rotate: (dir, keep) => (check('rotate'), nodeLogFs.rotate(dir, keep)),
  };
  return { fs, control };
}

let dir: string;
let clock: FakeClock;
const handles: FileLoggerHandle[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'posdiag-log-fail-'));
  clock = new FakeClock();
});
afterEach(async () => {
  for (const h of handles.splice(0)) await h.close();
  rmSync(dir, { recursive: true, force: true });
});

function open(fs: LogFs, extra: Partial<FileLoggerOptions> = {}) {
  const handle = createFileLogger({ dir: join(dir, 'logs'), level: 'info', maxBytes: 1 << 20, keep: 2, clock, fs, ...extra });
  handles.push(handle);
  const changes: LogStorageChange[] = [];
  handle.onStorageChange((change) => changes.push(change));
  return { handle, changes };
}

/** The file's lines, each parsed: throws on a torn or otherwise broken line. */
const fileLines = () =>
  readFileSync(join(dir, 'logs', 'posdiag.log'), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as { msg: string });
const tailMsgs = (handle: FileLoggerHandle, which: 'all' | 'unwritten' = 'all') => {
  const tail = handle.memoryTail();
  const lines = which === 'all' ? tail.lines : tail.lines.slice(tail.lines.length - tail.unwritten);
  return lines.map((l) => (JSON.parse(l) as { msg: string }).msg);
};

describe('the diagnostic log when its disk fails', () => {
  for (const code of ['ENOSPC', 'EROFS', 'EIO', 'EDQUOT', 'EACCES']) {
    it(`keeps lines in memory on ${code}, says so, and writes them out in order once the disk works again`, async () => {
      const { fs, control } = faultyFs();
      const { handle, changes } = open(fs);
      handle.logger.info({}, 'before');
      control.failure = code;
      handle.logger.info({}, 'during 1');
      handle.logger.warn({}, 'during 2');
      await Promise.resolve();
      expect(handle.storage()).toBe('memory');
      expect(changes.map((c) => [c.storage, (c.error as NodeJS.ErrnoException | undefined)?.code])).toEqual([['memory', code]]);
      expect(handle.memoryTail()).toMatchObject({ storage: 'memory', unwritten: 2, lost: 0, error: expect.stringContaining(code) });
      expect(tailMsgs(handle)).toEqual(['before', 'during 1', 'during 2']);
      expect(fileLines().map((l) => l.msg)).toEqual(['before']);

      await clock.advance(LOG_RETRY_MS); // still failing: nothing changes
      expect(handle.storage()).toBe('memory');
      control.failure = null;
      handle.logger.info({}, 'during 3');
      await clock.advance(LOG_RETRY_MS);
      expect(handle.storage()).toBe('disk');
      expect(changes.map((c) => [c.storage, c.lost])).toEqual([
        ['memory', 0],
        ['disk', 0],
      ]);
      handle.logger.info({}, 'after');
      expect(fileLines().map((l) => l.msg)).toEqual(['before', 'during 1', 'during 2', 'during 3', 'after']);
      expect(handle.memoryTail()).toMatchObject({ storage: 'disk', unwritten: 0 });
    });
  }

  it('tries the disk once per retry interval while it fails, never once per line', async () => {
    const { fs, control } = faultyFs();
    const { handle } = open(fs);
    control.failure = 'ENOSPC';
    handle.logger.info({}, 'first failing');
    const attempts = control.writeAttempts;
    for (let i = 0; i < 100; i++) handle.logger.info({ i }, 'while full');
    expect(control.writeAttempts).toBe(attempts);
    await clock.advance(LOG_RETRY_MS);
    expect(control.writeAttempts).toBe(attempts + 1); // one try, stopped at the first failure
    await clock.advance(3 * LOG_RETRY_MS);
    expect(control.writeAttempts).toBe(attempts + 4);
  });

  it('leaves no torn line when a full disk takes half a line: the part is cut off and the line written whole later', async () => {
    const { fs, control } = faultyFs();
    const { handle } = open(fs);
    handle.logger.info({}, 'before');
    // Freeing blocks works on a full disk: only writes fail.
    Object.assign(control, { failure: 'ENOSPC', tornWrites: true, only: new Set(['write']) });
    handle.logger.info({ pad: 'x'.repeat(200) }, 'torn');
    expect(readFileSync(join(dir, 'logs', 'posdiag.log'), 'utf8').endsWith('\n')).toBe(true);
    Object.assign(control, { failure: null, tornWrites: false });
    await clock.advance(LOG_RETRY_MS);
    expect(fileLines().map((l) => l.msg)).toEqual(['before', 'torn']);
  });

  it('ends a part it cannot cut off with a newline, so the next line stays whole', async () => {
    const { fs, control } = faultyFs();
    const { handle } = open(fs);
    Object.assign(control, { failure: 'EIO', tornWrites: true, only: new Set(['write', 'truncate']) });
    handle.logger.info({}, 'torn');
    Object.assign(control, { failure: null, tornWrites: false });
    await clock.advance(LOG_RETRY_MS);
    const lines = readFileSync(join(dir, 'logs', 'posdiag.log'), 'utf8').split('\n');
    expect(lines).toHaveLength(3); // the fragment, the whole line, the final empty string
    expect(() => JSON.parse(lines[0]!)).toThrow();
    expect(JSON.parse(lines[1]!)).toMatchObject({ msg: 'torn' });
  });

  it('starts in memory when the directory cannot be made or opened, and recovers by itself', async () => {
    const { fs, control } = faultyFs();
    control.failure = 'EROFS';
    const { handle, changes } = open(fs);
    handle.logger.info({}, 'at start');
    expect(handle.storage()).toBe('memory');
    control.failure = null;
    await clock.advance(LOG_RETRY_MS);
    expect(handle.storage()).toBe('disk');
    expect(changes.map((c) => c.storage)).toEqual(['memory', 'disk']);
    expect(fileLines().map((l) => l.msg)).toEqual(['at start']);
  });

  it('bounds the tail in lines and bytes, counts what it had to drop, and reports the loss on the way back', async () => {
    const { fs, control } = faultyFs();
    const { handle, changes } = open(fs, { tailLines: 10, tailBytes: 4096 });
    control.failure = 'ENOSPC';
    for (let i = 0; i < 25; i++) handle.logger.info({ i }, `line ${i}`);
    expect(handle.memoryTail()).toMatchObject({ unwritten: 10, lost: 15 });
    expect(tailMsgs(handle)).toEqual(Array.from({ length: 10 }, (_, k) => `line ${15 + k}`));
    for (let i = 0; i < 5; i++) handle.logger.info({ pad: 'y'.repeat(1000) }, `big ${i}`);
    const tail = handle.memoryTail();
    expect(tail.lines.join('\n').length).toBeLessThanOrEqual(4096);
    expect(tailMsgs(handle).at(-1)).toBe('big 4');
    control.failure = null;
    await clock.advance(LOG_RETRY_MS);
    expect(changes.at(-1)).toMatchObject({ storage: 'disk', lost: 25 + 5 - tail.unwritten });
    expect(fileLines().map((l) => l.msg)).toEqual(tailMsgs(handle));
  });

  it('retries at once on a reopen (SIGHUP, logrotate) while degraded', async () => {
    const { fs, control } = faultyFs();
    const { handle } = open(fs);
    control.failure = 'ENOSPC';
    handle.logger.info({}, 'held');
    control.failure = null;
    handle.reopen();
    expect(handle.storage()).toBe('disk');
    expect(fileLines().map((l) => l.msg)).toEqual(['held']);
  });

  it('keeps writing the full file when only the rotation fails, and rotates once it can', async () => {
    const { fs, control } = faultyFs();
    const { handle } = open(fs, { maxBytes: 400 });
    Object.assign(control, { failure: 'EACCES', only: new Set(['rotate']) });
    for (let i = 0; i < 6; i++) handle.logger.info({ i }, 'x'.repeat(60));
    expect(handle.storage()).toBe('disk');
    expect(fileLines()).toHaveLength(6);
    control.failure = null;
    for (let i = 0; i < 6; i++) handle.logger.info({ i }, 'x'.repeat(60));
    expect(readFileSync(join(dir, 'logs', 'posdiag.log.1'), 'utf8').length).toBeGreaterThan(0);
  });
});
