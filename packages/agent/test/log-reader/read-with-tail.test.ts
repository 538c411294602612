import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildBundle } from '../../src/bundle/bundle.js';
import { parseConfig } from '../../src/config/load.js';
import type { LogTailSnapshot } from '../../src/log-line/tail-snapshot.js';
import { readLogWithTail } from '../../src/log-reader/read-with-tail.js';
import type { LogFilter } from '../../src/log-reader/reader.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'posdiag-logtail-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const line = (msg: string, extra: Record<string, unknown> = {}) => JSON.stringify({ level: 'info', time: '2026-11-23T04:00:00.000Z', msg, ...extra });
const tail = (lines: string[], unwritten: number, extra: Partial<LogTailSnapshot> = {}): LogTailSnapshot => ({
  storage: 'memory',
  lines,
  unwritten,
  lost: 0,
  error: 'ENOSPC: no space left on device, write',
  ...extra,
});

async function read(logDir: string, snapshot: LogTailSnapshot | undefined, filter: LogFilter = {}) {
  const reading = readLogWithTail({ dir: logDir, ...filter }, snapshot);
  const msgs: unknown[] = [];
  for await (const entry of reading) msgs.push(entry.msg);
  return { msgs, stats: reading.stats };
}

describe('posdiag log with the daemon memory tail', () => {
  it('shows the files, then the lines the daemon could not write, in order and filtered alike', async () => {
    writeFileSync(join(dir, 'posdiag.log'), [line('a'), line('b', { device: 'printer' })].join('\n') + '\n');
    const snapshot = tail([line('a'), line('b', { device: 'printer' }), line('c'), line('d', { device: 'printer' })], 2);
    expect(await read(dir, snapshot)).toEqual({ msgs: ['a', 'b', 'c', 'd'], stats: { malformed: 0, fromMemory: 2 } });
    expect((await read(dir, snapshot, { device: 'printer' })).msgs).toEqual(['b', 'd']);
  });

  it('shows a line once when the daemon wrote it out between handing over its tail and the read', async () => {
    writeFileSync(join(dir, 'posdiag.log'), [line('a'), line('c')].join('\n') + '\n');
    expect(await read(dir, tail([line('a'), line('c'), line('d')], 2))).toEqual({ msgs: ['a', 'c', 'd'], stats: { malformed: 0, fromMemory: 1 } });
  });

  it('shows the whole tail, and says why, when the log files cannot be read', async () => {
    const notADir = join(dir, 'logs');
    writeFileSync(notADir, 'a file where the directory should be');
    const { msgs, stats } = await read(notADir, tail([line('a'), line('b'), line('c')], 1));
    expect(msgs).toEqual(['a', 'b', 'c']);
    expect(stats).toMatchObject({ fromMemory: 3, unreadable: expect.stringContaining('ENOTDIR') });
  });

  it('without a tail is readLog, errors included', async () => {
    writeFileSync(join(dir, 'posdiag.log'), `${line('a')}\nnot json\n`);
    expect(await read(dir, undefined)).toEqual({ msgs: ['a'], stats: { malformed: 1, fromMemory: 0 } });
    const notADir = join(dir, 'posdiag.log');
    await expect(read(notADir, undefined)).rejects.toThrow(/ENOTDIR/);
  });
});

describe('the bundle with the daemon memory tail', () => {
  const config = () => parseConfig({ terminal: { id: 'T-1', model: 'X990', serial: 'SN' }, paths: { state: join(dir, 'state'), logs: join(dir, 'logs') } });
  const bundleFiles = async (logTail: LogTailSnapshot | null) => {
    const file = join(dir, 'b.tgz');
    writeFileSync(file, await buildBundle(config(), { source: 'daemon', status: {}, selfTests: [], outbox: null, logTail }, Date.UTC(2026, 0, 1), '0.0.0'));
    const out = mkdtempSync(join(dir, 'x-'));
    execFileSync('tar', ['xzf', file, '-C', out]);
    return join(out, 'posdiag-bundle', 'logs');
  };

  it('carries the tail, scrubbed, and what the daemon says of it while the log cannot be written', async () => {
    const logs = await bundleFiles(tail([line('kept'), line('pan 4111111111111111')], 2, { lost: 3 }));
    expect(readFileSync(join(logs, 'memory-tail.log'), 'utf8')).toBe(`${line('kept')}\n${line('pan 411111******1111')}\n`);
    expect(JSON.parse(readFileSync(join(logs, 'memory-tail.json'), 'utf8'))).toEqual({ storage: 'memory', unwritten: 2, lost: 3, error: expect.stringContaining('ENOSPC') });
  });

  it('leaves it out while every line is in the files', async () => {
    mkdirSync(join(dir, 'logs'));
    writeFileSync(join(dir, 'logs', 'posdiag.log'), `${line('a')}\n`);
    const logs = await bundleFiles({ storage: 'disk', lines: [line('a')], unwritten: 0, lost: 0 });
    expect(readdirSync(logs)).toEqual(['posdiag.log']);
  });
});
