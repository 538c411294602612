import { appendFileSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../../test/support/fake-clock.js';
import { createFileLogger } from '../../src/log/file-logger.js';
import { followLog, readLog, type LogEntry, type LogFilter } from '../../src/log-reader/reader.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'posdiag-logread-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const T0 = Date.UTC(2026, 10, 23, 4, 0, 0);
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
const line = (fields: Record<string, unknown>) => JSON.stringify({ level: 'info', time: at(0), ...fields }) + '\n';
const put = (name: string, ...lines: string[]) => writeFileSync(join(dir, name), lines.join(''));
const add = (name: string, ...lines: string[]) => appendFileSync(join(dir, name), lines.join(''));

async function collect(filter: LogFilter = {}) {
  const read = readLog({ dir, ...filter });
  const msgs: unknown[] = [];
  for await (const entry of read) msgs.push(entry.msg);
  return { msgs, malformed: read.stats.malformed };
}

/** Polls a condition with a deadline: waits on real fs events without asserting on time. */
async function waitFor(condition: () => boolean, what: string, step?: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    if (step) await step();
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('readLog', () => {
  it('reads rotated files oldest first, then the current one, skipping and counting malformed lines', async () => {
    put('posdiag.log.2', line({ msg: 'a' }), '{"level":"info","time":"2026-11-23T0', '\n');
    put('posdiag.log.1', line({ msg: 'b' }), 'not json\n', '\n', '[1,2]\n', line({ msg: 'c' }));
    put('posdiag.log', '{"msg":"no level or time"}\n', line({ msg: 'd', level: 'bogus' }), line({ msg: 'e' }), line({ msg: 'f (unterminated)' }).trimEnd());
    put('other.log', line({ msg: 'not ours' }));
    expect(await collect()).toEqual({ msgs: ['a', 'b', 'c', 'e', 'f (unterminated)'], malformed: 5 });
  });

  it('reads nothing, without error, from a missing directory', async () => {
    expect(await collect()).toEqual({ msgs: [], malformed: 0 });
    rmSync(dir, { recursive: true });
    expect(await collect()).toEqual({ msgs: [], malformed: 0 });
  });

  it('filters by since, minimum level, device and fault, all together', async () => {
    put(
      'posdiag.log',
      line({ msg: 'old warn', level: 'warn', time: at(-30), device: 'printer' }),
      line({ msg: 'printer info', level: 'info', time: at(1), device: 'printer' }),
      line({ msg: 'printer paper', level: 'warn', time: at(2), device: 'printer', fault: 'printer.paper_end' }),
      line({ msg: 'modem error', level: 50, time: T0 + 3 * 60_000, device: 'modem', fault: 'modem.no_sim' }),
      line({ msg: 'agent fatal', level: 'fatal', time: at(4) }),
    );
    expect((await collect({ since: T0 })).msgs).toEqual(['printer info', 'printer paper', 'modem error', 'agent fatal']);
    expect((await collect({ level: 'WARN' })).msgs).toEqual(['old warn', 'printer paper', 'modem error', 'agent fatal']);
    expect((await collect({ level: 'error' })).msgs).toEqual(['modem error', 'agent fatal']);
    expect((await collect({ device: 'printer' })).msgs).toEqual(['old warn', 'printer info', 'printer paper']);
    expect((await collect({ fault: 'modem.no_sim' })).msgs).toEqual(['modem error']);
    expect((await collect({ since: T0, level: 'warn', device: 'printer' })).msgs).toEqual(['printer paper']);
    expect(() => readLog({ dir, level: 'verbose' })).toThrow(/unknown log level "verbose"/);
  });

  it('normalizes pino numeric levels and epoch times to labels and ISO strings', async () => {
    put('posdiag.log', JSON.stringify({ level: 40, time: T0, msg: 'x' }) + '\n');
    const entries: LogEntry[] = [];
    for await (const e of readLog({ dir })) entries.push(e);
    expect(entries).toEqual([{ level: 'warn', time: at(0), msg: 'x' }]);
  });
});

describe('followLog', () => {
  it('delivers the history, then appended lines, then lines across a logrotate-style rename, each once', async () => {
    put('posdiag.log.1', line({ msg: 'h1' }));
    put('posdiag.log', line({ msg: 'h2' }), 'garbage\n');
    const seen: unknown[] = [];
    const abort = new AbortController();
    const done = followLog({ dir }, (e) => seen.push(e.msg), abort.signal);

    await waitFor(() => seen.length === 2, 'history');
    add('posdiag.log', line({ msg: 'n1' }), '{"level":"info","time":"' + at(0) + '","msg":"split');
    await waitFor(() => seen.length === 3, 'appended line');
    add('posdiag.log', ' line"}\n');
    await waitFor(() => seen.length === 4, 'completed partial line');

    // logrotate: rename; the writer still writes to the old file until it reopens and creates a new one.
    renameSync(join(dir, 'posdiag.log'), join(dir, 'posdiag.log.1'));
    add('posdiag.log.1', line({ msg: 'late old' }));
    put('posdiag.log', line({ msg: 'new 1' }));
    await waitFor(() => seen.length === 6, 'lines after rotation');
    add('posdiag.log', line({ msg: 'new 2' }));
    await waitFor(() => seen.length === 7, 'line appended to the new file');

    abort.abort();
    expect(await done).toEqual({ malformed: 1 });
    expect(seen).toEqual(['h1', 'h2', 'n1', 'split line', 'late old', 'new 1', 'new 2']);
  });

  it('follows the real writer through its own rotations without loss or repeats, with filters', async () => {
    const handle = createFileLogger({ dir, level: 'debug', maxBytes: 600, keep: 5 });
    const seen: number[] = [];
    const abort = new AbortController();
    const done = followLog({ dir, level: 'info', device: 'printer' }, (e) => seen.push(e.i as number), abort.signal);
    const printer = handle.logger.child({ device: 'printer' });
    for (let i = 0; i < 30; i++) {
      printer.info({ i }, 'tick');
      printer.debug({ i: -1 }, 'below the level');
      handle.logger.info({ i: -2 }, 'other device');
      if (i % 5 === 4) await waitFor(() => seen.length === i + 1, `entry ${i}`);
    }
    abort.abort();
    await done;
    await handle.close();
    expect(seen).toEqual(Array.from({ length: 30 }, (_, i) => i));
  });

  it('falls back to polling on the injected clock when fs.watch is off, and waits for a file not yet created', async () => {
    const clock = new FakeClock();
    const seen: unknown[] = [];
    const abort = new AbortController();
    const done = followLog({ dir, watch: false, clock, pollMs: 1000 }, (e) => seen.push(e.msg), abort.signal);
    const poll = () => clock.advance(1000);
    put('posdiag.log', line({ msg: 'first' }));
    await waitFor(() => seen.length === 1, 'file created later', poll);
    add('posdiag.log', line({ msg: 'second' }));
    await waitFor(() => seen.length === 2, 'polled append', poll);
    abort.abort();
    await done;
    expect(seen).toEqual(['first', 'second']);
  });

  it('catches up in order after several rotations between two reads', async () => {
    const clock = new FakeClock();
    const handle = createFileLogger({ dir, level: 'info', maxBytes: 600, keep: 5 });
    handle.logger.info({ i: 0 }, 'before');
    const seen: number[] = [];
    const abort = new AbortController();
    const done = followLog({ dir, watch: false, clock, pollMs: 1000 }, (e) => seen.push(e.i as number), abort.signal);
    await waitFor(() => clock.pendingTimers === 1, 'the follower to wait for the next poll');
    expect(seen).toEqual([0]);
    for (let i = 1; i < 25; i++) handle.logger.info({ i }, 'burst');
    expect(readdirSync(dir).length).toBeGreaterThanOrEqual(4); // at least three rotations since the last read
    await clock.advance(1000);
    await waitFor(() => seen.length === 25, 'the burst', () => clock.advance(1000));
    abort.abort();
    await done;
    await handle.close();
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => i));
  });

  it('rereads a file truncated in place (copytruncate)', async () => {
    put('posdiag.log', line({ msg: 'before truncate, a long line to be longer than the next' }));
    const seen: unknown[] = [];
    const abort = new AbortController();
    const done = followLog({ dir }, (e) => seen.push(e.msg), abort.signal);
    await waitFor(() => seen.length === 1, 'history');
    writeFileSync(join(dir, 'posdiag.log'), line({ msg: 'after' }));
    await waitFor(() => seen.length === 2, 'line after truncation');
    abort.abort();
    await done;
    expect(seen[1]).toBe('after');
  });
});
