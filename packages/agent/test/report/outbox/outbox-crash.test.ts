import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { OUTBOX_LOG_FILE, openOutbox } from '../../../src/report/outbox.js';
import { reportSchema } from 'posdiag-protocol';
import { signalChild } from '../../../src/core/signal-child.js';
import { FROM_SOURCE } from '../../../../../test/support/from-source.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../../..');
const WRITER = join(ROOT, 'test/helpers/outbox-writer.ts');
const RUNS = 55;
/** The writer's maxBytes; its acks keep the pending reports far below it. */
const WRITER_MAX_BYTES = 128 * 1024;
/** The smallest report frame the writer writes, about. */
const MIN_FRAME_BYTES = 600;

const dir = mkdtempSync(join(tmpdir(), 'posdiag-outbox-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Runs the writer on `dir` and SIGKILLs it at a random instant: mostly while it writes (after `ready`),
 * sometimes while it starts and replays the log. Resolves with the lines it printed.
 */
function runAndKill(killFromSpawn: boolean): Promise<string[]> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [...FROM_SOURCE, WRITER, dir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let armed = false;
    const arm = (maxDelayMs: number) => {
      armed = true;
      setTimeout(() => signalChild(child, 'SIGKILL'), Math.random() * maxDelayMs);
    };
    if (killFromSpawn) arm(600);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!armed && stdout.startsWith('ready\n')) arm(150);
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (signal === 'SIGKILL') resolvePromise(stdout.split('\n').filter(Boolean));
      else reject(new Error(`writer ended by itself (code ${code}): ${stderr}`));
    });
  });
}

/**
 * A SIGKILL never splits one write() of a regular file, so a power cut's torn tail is made by hand:
 * either the start of a real frame (reads as torn) or random bytes (reads as corrupt).
 */
function tearTail(run: number): void {
  const logPath = join(dir, OUTBOX_LOG_FILE);
  if (!existsSync(logPath)) return;
  const log = readFileSync(logPath);
  const junk = run % 2 ? log.subarray(0, 1 + Math.floor(Math.random() * Math.min(log.length - 1, 700))) : randomBytes(1 + Math.floor(Math.random() * 64));
  appendFileSync(logPath, junk);
}

describe('outbox under SIGKILL', () => {
  it(`keeps every recorded report and every ack across ${RUNS} kills at random instants`, async () => {
    const recorded: number[] = [];
    const acking = new Set<number>();
    const acked = new Set<number>();
    for (let run = 0; run < RUNS; run++) {
      for (const line of await runAndKill(run % 5 === 4)) {
        const match = /^([RKA]) (\d+)$/.exec(line);
        if (line === 'ready') continue;
        expect(match, `unexpected writer line ${JSON.stringify(line)}`).not.toBeNull();
        const seq = Number(match![2]);
        if (match![1] === 'R') recorded.push(seq);
        else if (match![1] === 'K') acking.add(seq);
        else acked.add(seq);
      }
      if (run % 3 === 2) tearTail(run);
    }

    // Seqs are never reused, across every restart.
    for (let i = 1; i < recorded.length; i++) expect(recorded[i]).toBeGreaterThan(recorded[i - 1]!);
    // Enough was written to force many compactions of the bounded log.
    expect(recorded.length * MIN_FRAME_BYTES).toBeGreaterThan(2 * WRITER_MAX_BYTES);

    const outbox = await openOutbox({ dir, maxBytes: WRITER_MAX_BYTES, memoryRing: 16 });
    try {
      // The writer keeps few reports pending: an eviction would void the checks below.
      expect(outbox.stats()).toMatchObject({ storage: 'disk', droppedTotal: 0 });
      const pending = outbox.pending();
      const pendingSeqs = pending.map((r) => r.seq);
      for (const report of pending) expect(reportSchema.safeParse(report).success).toBe(true);
      for (let i = 1; i < pendingSeqs.length; i++) expect(pendingSeqs[i]).toBeGreaterThan(pendingSeqs[i - 1]!);

      const pendingSet = new Set(pendingSeqs);
      const lost = recorded.filter((seq) => !acking.has(seq) && !pendingSet.has(seq));
      const resurrected = pendingSeqs.filter((seq) => acked.has(seq));
      expect(lost).toEqual([]);
      expect(resurrected).toEqual([]);
      expect(outbox.lastSeq()).toBeGreaterThanOrEqual(Math.max(...recorded, ...acked));
      expect(statSync(join(dir, OUTBOX_LOG_FILE)).size).toBeLessThanOrEqual(WRITER_MAX_BYTES);
    } finally {
      await outbox.close();
    }
  }, 240_000);
});
