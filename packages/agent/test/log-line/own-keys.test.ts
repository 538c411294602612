import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../../test/support/fake-clock.js';
import { createFileLogger } from '../../src/log/file-logger.js';
import { readLog, type LogEntry, type LogFilter } from '../../src/log-reader/reader.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'posdiag-ownkeys-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const T = Date.UTC(2026, 10, 23, 4, 1, 2);

async function entries(filter: LogFilter = {}) {
  const read = readLog({ dir, ...filter });
  const found: LogEntry[] = [];
  for await (const entry of read) found.push(entry);
  return { found, malformed: read.stats.malformed };
}

describe('the log writer keeps its own keys', () => {
  it('renames a caller field or child binding named level, time, pid, name or msg; every line reads back', async () => {
    const handle = createFileLogger({ dir, level: 'info', maxBytes: 1 << 20, keep: 1, clock: new FakeClock(T) });
    handle.logger.info({ level: 'quick', time: 5, pid: 'p', name: 'cmd', msg: 'field', verdict: 'passed' }, 'self-test');
    handle.logger.child({ level: 'bound', msg: 'bound msg', device: 'printer' }).child({ time: 'bound time' }).warn({}, 'from a grandchild');
    await handle.close();

    const raw = readFileSync(join(dir, 'posdiag.log'), 'utf8').trim().split('\n');
    // No key appears twice on a line: a JSON reader would keep only the caller's value.
    for (const text of raw) {
      const keys = [...text.matchAll(/"(level|time|pid|name|msg)":/g)].map((m) => m[1]);
      expect(new Set(keys).size, text).toBe(keys.length);
    }
    const { found, malformed } = await entries();
    expect(malformed).toBe(0);
    expect(found).toEqual([
      expect.objectContaining({
        level: 'info',
        time: new Date(T).toISOString(),
        pid: process.pid,
        name: 'posdiag',
        msg: 'self-test',
        field_level: 'quick',
        field_time: 5,
        field_pid: 'p',
        field_name: 'cmd',
        field_msg: 'field',
        verdict: 'passed',
      }),
      expect.objectContaining({ level: 'warn', msg: 'from a grandchild', device: 'printer', field_level: 'bound', field_msg: 'bound msg', field_time: 'bound time' }),
    ]);
  });
});

describe('the log reader', () => {
  it('reads a line an older version wrote with a caller field overriding level, time and name', async () => {
    // What 0.1.0 wrote for every self-test: pino's own keys first, the caller's of the same name after.
    const old =
      '{"level":"info","time":"2026-11-23T04:01:02.000Z","pid":7,"name":"posdiag","level":"quick","ref":"AB12CD34","passed":true,"failed":[],"msg":"self-test"}\n' +
      '{"level":"warn","time":"2026-11-23T04:01:03.000Z","pid":7,"name":"posdiag","id":"c1","name":"self_test","msg":"hub command"}\n' +
      '{"level":30,"time":1795413664000,"pid":7,"name":"posdiag","time":"not a time","msg":"numeric own keys"}\n';
    writeFileSync(join(dir, 'posdiag.log'), old);
    const { found, malformed } = await entries();
    expect(malformed).toBe(0);
    expect(found).toEqual([
      expect.objectContaining({ level: 'info', time: '2026-11-23T04:01:02.000Z', field_level: 'quick', passed: true, msg: 'self-test' }),
      expect.objectContaining({ level: 'warn', name: 'posdiag', field_name: 'self_test', msg: 'hub command' }),
      expect.objectContaining({ level: 'info', time: new Date(1795413664000).toISOString(), field_time: 'not a time' }),
    ]);
  });

  it('filters by report kind', async () => {
    const handle = createFileLogger({ dir, level: 'info', maxBytes: 1 << 20, keep: 1 });
    handle.logger.info({ kind: 'self_test', testLevel: 'full', verdict: 'failed' }, 'self-test');
    handle.logger.info({ device: 'printer' }, 'poll');
    handle.logger.warn({ kind: 'heartbeat' }, 'outbox full: report evicted');
    await handle.close();
    const { found } = await entries({ kind: 'self_test' });
    expect(found.map((e) => [e.msg, e.testLevel, e.verdict])).toEqual([['self-test', 'full', 'failed']]);
  });
});
