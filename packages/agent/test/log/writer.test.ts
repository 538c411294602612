import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../../test/support/fake-clock.js';
import { createFileLogger, installSighupReopen, type FileLoggerHandle, type FileLoggerOptions } from '../../src/log/file-logger.js';
import type { Logger } from '../../src/log/logger.js';
import { readLog } from '../../src/log-reader/reader.js';
import { FROM_SOURCE } from '../../../../test/support/from-source.js';

let dir: string;
const handles: FileLoggerHandle[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'posdiag-log-'));
});
afterEach(async () => {
  for (const h of handles.splice(0)) await h.close();
  rmSync(dir, { recursive: true, force: true });
});

function open(extra: Partial<FileLoggerOptions> = {}): FileLoggerHandle {
  const handle = createFileLogger({ dir: join(dir, 'logs'), level: 'info', maxBytes: 1 << 20, keep: 3, ...extra });
  handles.push(handle);
  return handle;
}

const file = (name = 'posdiag.log') => join(dir, 'logs', name);
const linesOf = (name = 'posdiag.log') =>
  readFileSync(file(name), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('createFileLogger', () => {
  it('creates the directory and writes JSON lines with ISO time, level label and the device/fault bindings', () => {
    const clock = new FakeClock(Date.UTC(2026, 10, 23, 4, 1, 2));
    const { logger } = open({ clock });
    const contract: Logger = logger; // what every module takes
    contract.child({ device: 'printer' }).warn({ fault: 'printer.paper_end', status: 0x72 }, 'paper end');
    expect(linesOf()).toEqual([
      expect.objectContaining({
        time: '2026-11-23T04:01:02.000Z',
        level: 'warn',
        name: 'posdiag',
        device: 'printer',
        fault: 'printer.paper_end',
        status: 0x72,
        msg: 'paper end',
      }),
    ]);
  });

  it('scrubs card data from messages, fields, bindings and error stacks, and keeps every line valid JSON', () => {
    const { logger } = open({ level: 'trace' });
    const child = logger.child({ device: 'cardReader', lastCard: '4111 1111 1111 1111' });
    child.info({ pan: '4111111111111111', asNumber: 4111111111111111, nested: { t2: ';4111111111111111=25121011234567890?' } }, 'swipe');
    child.debug({}, 'read 4111111111111111 track %B4111111111111111^DOE/JOHN^25121011234567890? ok');
    child.trace({}, 'raw ;4111111111111111=25121011234567890?');
    child.error({ err: new Error('declined 4111-1111-1111-1111') }, 'failed');

    const text = readFileSync(file(), 'utf8');
    for (const leak of ['4111111111111111', '4111 1111 1111 1111', '4111-1111-1111-1111', '25121011234567890', 'DOE/JOHN']) {
      expect(text).not.toContain(leak);
    }
    const lines = linesOf(); // throws if any line is not JSON
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatchObject({ pan: '411111******1111', asNumber: '411111******1111', lastCard: '411111******1111' });
    expect(lines[1]!.msg).toContain('[track data removed]');
    expect(JSON.stringify(lines[3]!.err)).toContain('411111******1111');
  });

  it('writes only at or above the configured level and rejects an unknown level', () => {
    const { logger } = open({ level: 'warn' });
    logger.debug({}, 'd');
    logger.info({}, 'i');
    logger.warn({}, 'w');
    logger.error({}, 'e');
    logger.fatal({}, 'f');
    expect(linesOf().map((l) => [l.level, l.msg])).toEqual([
      ['warn', 'w'],
      ['error', 'e'],
      ['fatal', 'f'],
    ]);
    expect(() => createFileLogger({ dir, level: 'loud', maxBytes: 1000, keep: 1 })).toThrow(/unknown log level "loud"/);
  });

  it('rotates before a file would exceed maxBytes and keeps only `keep` rotated files', async () => {
    const { logger } = open({ maxBytes: 1000, keep: 2 });
    for (let i = 0; i < 50; i++) logger.info({ i }, 'x'.repeat(40));
    expect(readdirSync(join(dir, 'logs')).sort()).toEqual(['posdiag.log', 'posdiag.log.1', 'posdiag.log.2']);
    for (const name of ['posdiag.log', 'posdiag.log.1', 'posdiag.log.2']) expect(statSync(file(name)).size).toBeLessThanOrEqual(1000);
    // The kept lines are the newest ones, contiguous, oldest file first.
    const seq: number[] = [];
    for await (const entry of readLog({ dir: join(dir, 'logs') })) seq.push(entry.i as number);
    expect(seq.at(-1)).toBe(49);
    expect(seq.length).toBeLessThan(50);
    expect(seq).toEqual(Array.from({ length: seq.length }, (_, k) => 50 - seq.length + k));
    expect(statSync(file('posdiag.log.2')).size).toBeGreaterThan(500); // full files were rotated, not slivers
  });

  it('counts an existing file at open, so a restart keeps the size bound, and prunes files above a lowered keep', async () => {
    const first = open({ maxBytes: 1000, keep: 3 });
    for (let i = 0; i < 60; i++) first.logger.info({ i }, 'x'.repeat(40));
    await first.close();
    expect(existsSync(file('posdiag.log.3'))).toBe(true);
    const sizeBefore = statSync(file()).size;
    const second = open({ maxBytes: sizeBefore + 50, keep: 1 });
    second.logger.info({}, 'y'.repeat(100));
    expect(readdirSync(join(dir, 'logs')).sort()).toEqual(['posdiag.log', 'posdiag.log.1']);
    expect(statSync(file('posdiag.log.1')).size).toBe(sizeBefore);
    expect(linesOf()).toHaveLength(1);
  });

  it('reopens by name after logrotate renamed the file (also on SIGHUP once installed)', () => {
    const handle = open();
    handle.logger.info({}, 'A');
    renameSync(file(), file('posdiag.log.1')); // logrotate without copytruncate
    handle.logger.info({}, 'B'); // still the old descriptor
    handle.reopen();
    handle.logger.info({}, 'C');
    expect(linesOf('posdiag.log.1').map((l) => l.msg)).toEqual(['A', 'B']);
    expect(linesOf().map((l) => l.msg)).toEqual(['C']);

    const before = process.listenerCount('SIGHUP');
    const uninstall = installSighupReopen(handle);
    renameSync(file(), file('posdiag.log.2'));
    process.emit('SIGHUP', 'SIGHUP');
    handle.logger.info({}, 'D');
    uninstall();
    expect(process.listenerCount('SIGHUP')).toBe(before);
    expect(linesOf().map((l) => l.msg)).toEqual(['D']);
  });

  it('drops lines logged after close instead of throwing', async () => {
    const handle = open();
    handle.logger.info({}, 'before');
    handle.flush();
    await handle.close();
    expect(() => handle.logger.child({ device: 'modem' }).error({}, 'after')).not.toThrow();
    expect(linesOf().map((l) => l.msg)).toEqual(['before']);
  });

  it('loses no line when the process is SIGKILLed right after logging', () => {
    const script = join(dir, 'kill.mjs');
    const loggerModule = fileURLToPath(new URL('../../src/log/file-logger.ts', import.meta.url));
    writeFileSync(
      script,
      `const { createFileLogger } = await import(${JSON.stringify(loggerModule)});
const { logger } = createFileLogger({ dir: process.argv[2], level: 'info', maxBytes: 1e6, keep: 1 });
for (let i = 0; i < 200; i++) logger.info({ i }, 'line');
logger.fatal({ fault: 'agent.crash' }, 'last words');
process.kill(process.pid, 'SIGKILL');
`,
    );
    const run = spawnSync(process.execPath, [...FROM_SOURCE, script, join(dir, 'logs')], { encoding: 'utf8' });
    expect(run.signal).toBe('SIGKILL');
    const lines = linesOf();
    expect(lines).toHaveLength(201);
    expect(lines.at(-1)).toMatchObject({ level: 'fatal', msg: 'last words' });
  });
});
