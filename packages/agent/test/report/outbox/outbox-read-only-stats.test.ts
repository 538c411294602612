import { createHash } from 'node:crypto';
import { appendFileSync, cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboxStats } from '../../../src/report/outbox-contract.js';
import { OUTBOX_LOG_FILE, openOutbox } from '../../../src/report/outbox.js';
import { encodeEntry } from '../../../src/report/outbox/entries.js';
import { readOutboxStats } from '../../../src/report/outbox/read-only-stats.js';
import { reportSchema, type Severity } from 'posdiag-protocol';
import { runPosdiag } from '../../helpers/cli-process.js';
import { faultDraft, heartbeatDraft } from '../../helpers/outbox-drafts.js';
import type { PtyPrinter } from '../../helpers/pty-printer.js';
import { ptyTerminal } from '../../helpers/pty-terminal.js';

/**
 * `posdiag status` and `bundle` without a daemon look at the outbox as it lies on disk. Opening the
 * outbox writes (directory, seq mark, a cut tail); the look must not, and must still give the figures
 * the outbox gives once opened.
 */
const root = mkdtempSync(join(tmpdir(), 'posdiag-outbox-ro-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Every entry under `dir` with what a write would change: kind, inode, mode, owner, size, times, content. */
function listing(dir: string): Record<string, unknown> {
  const entries: Record<string, unknown> = {};
  const walk = (path: string, name: string) => {
    const s = lstatSync(path);
    entries[name] = {
      kind: s.isDirectory() ? 'dir' : s.isFile() ? 'file' : 'other',
      ino: s.ino,
      mode: s.mode,
      uid: s.uid,
      gid: s.gid,
      size: s.size,
      mtimeMs: s.mtimeMs,
      ctimeMs: s.ctimeMs,
      ...(s.isFile() ? { sha256: createHash('sha256').update(readFileSync(path)).digest('hex') } : {}),
    };
    if (s.isDirectory()) for (const child of readdirSync(path).sort()) walk(join(path, child), `${name}/${child}`);
  };
  walk(dir, '.');
  return entries;
}

const SEVERITIES: Severity[] = ['minor', 'major', 'critical'];

/**
 * Fills `dir` through the real outbox: reports of each severity, some acked, more than its bytes allow
 * (so some are evicted), dropped seqs handed to a heartbeat and more evicted after it. Returns the open
 * outbox's last figures and the next seq.
 */
async function writeOutbox(dir: string): Promise<{ stats: OutboxStats; nextSeq: number }> {
  const outbox = await openOutbox({ dir, maxBytes: 12 * 1024, memoryRing: 16 });
  const recordSome = async (count: number, ackEvery: number) => {
    for (let i = 0; i < count; i++) {
      const report = await outbox.record(faultDraft({ severity: SEVERITIES[i % 3], padding: 600 }));
      if (i % ackEvery === 0) await outbox.ack(report.id);
    }
  };
  await recordSome(14, 3);
  expect(outbox.takeDropped().length).toBeGreaterThan(0);
  await outbox.record(heartbeatDraft()); // its `k` entry settles the hand-out
  await recordSome(14, 4);
  const stats = outbox.stats();
  const nextSeq = outbox.lastSeq() + 1;
  await outbox.close();
  // The log holds every kind of accounting the figures come from.
  expect(stats.pending).toBeGreaterThan(0);
  expect(stats.droppedSeqs.length).toBeGreaterThan(0);
  expect(stats.droppedTotal).toBeGreaterThan(stats.droppedSeqs.length);
  return { stats, nextSeq };
}

const tails: Array<[string, (nextSeq: number) => Buffer]> = [
  [
    'a torn report frame',
    (nextSeq) => {
      const frame = encodeEntry({ t: 'r', r: reportSchema.parse({ ...faultDraft(), seq: nextSeq }) });
      return frame.subarray(0, frame.length - 5);
    },
  ],
  [
    'a report frame with a bad checksum, then a whole one',
    (nextSeq) => {
      const bad = encodeEntry({ t: 'r', r: reportSchema.parse({ ...faultDraft(), seq: nextSeq }) });
      bad[bad.length - 2]! ^= 0xff;
      return Buffer.concat([bad, encodeEntry({ t: 'r', r: reportSchema.parse({ ...faultDraft(), seq: nextSeq + 1 }) })]);
    },
  ],
];

describe('readOutboxStats', () => {
  it.each(tails)('with %s appended: the figures of the opened outbox, and nothing on disk changes', async (_name, tail) => {
    const dir = mkdtempSync(join(root, 'damaged-'));
    const { stats: written, nextSeq } = await writeOutbox(dir);
    appendFileSync(join(dir, OUTBOX_LOG_FILE), tail(nextSeq));
    const before = listing(dir);

    const read = await readOutboxStats(dir);

    expect(listing(dir)).toEqual(before);
    // What the open outbox had, and what a fresh open of the same bytes has (it cuts the tail).
    expect(read).toEqual(written);
    const copy = `${dir}-copy`;
    cpSync(dir, copy, { recursive: true });
    const opened = await openOutbox({ dir: copy, maxBytes: 12 * 1024, memoryRing: 16 });
    expect(read).toEqual(opened.stats());
    await opened.close();
    expect(lstatSync(join(copy, OUTBOX_LOG_FILE)).size).toBeLessThan(lstatSync(join(dir, OUTBOX_LOG_FILE)).size);
  });

  it('null for a missing dir, which stays missing', async () => {
    const parent = join(root, 'no-outbox');
    mkdirSync(parent);
    const before = listing(parent);
    expect(await readOutboxStats(join(parent, 'outbox'))).toBeNull();
    expect(listing(parent)).toEqual(before);
  });

  it('an empty outbox for a dir with no log yet, and no log is made', async () => {
    const dir = join(root, 'empty');
    mkdirSync(dir);
    const before = listing(dir);
    expect(await readOutboxStats(dir)).toEqual({ pending: 0, bytes: 0, storage: 'disk', droppedSeqs: [], droppedTotal: 0 });
    expect(listing(dir)).toEqual(before);
  });

  it('rejects when the log is there but cannot be read', async () => {
    const dir = join(root, 'log-is-a-dir');
    mkdirSync(join(dir, OUTBOX_LOG_FILE), { recursive: true });
    await expect(readOutboxStats(dir)).rejects.toThrow(/EISDIR/);
  });
});

describe('posdiag status --json without a daemon', () => {
  const dir = join(root, 'terminal');
  let configFile: string;
  let ptyPrinter: PtyPrinter;

  beforeAll(async () => {
    mkdirSync(dir);
    ({ configFile, ptyPrinter } = await ptyTerminal(dir, { terminal: { id: 'T-RO-1', model: 'X990', serial: 'SN-RO' }, locale: 'en' }));
  });
  afterAll(() => ptyPrinter.close());

  it('with no outbox: an empty one, and no state dir is made', async () => {
    const state = join(dir, 'state');
    rmSync(state, { recursive: true, force: true });
    const { code, stdout } = await runPosdiag(['status', '--json', '--config', configFile]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).outbox).toEqual({ pending: 0, bytes: 0, storage: 'disk', droppedSeqs: [], droppedTotal: 0 });
    expect(existsSync(state)).toBe(false);
  });

  it('on a state dir holding an outbox with a torn tail: its figures, every file byte-identical, nothing made', async () => {
    const state = join(dir, 'state');
    rmSync(state, { recursive: true, force: true });
    const { stats, nextSeq } = await writeOutbox(join(state, 'outbox'));
    appendFileSync(join(state, 'outbox', OUTBOX_LOG_FILE), tails[0]![1](nextSeq));
    const before = listing(state);
    const { code, stdout } = await runPosdiag(['status', '--json', '--config', configFile]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).outbox).toEqual(stats);
    expect(listing(state)).toEqual(before);
  });
});
