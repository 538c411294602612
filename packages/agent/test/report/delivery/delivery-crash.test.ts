import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OUTBOX_LOG_FILE } from '../../../src/report/outbox.js';
import { encodeEntry } from '../../../src/report/outbox/entries.js';
import type { Report } from 'posdiag-protocol';
import { openDeliveryOutbox, startDeliveryUplink } from '../../helpers/delivery-agent.js';
import { fetchStoredReports, seqsOutOfPlace, summarizeStored } from '../../helpers/delivery-hub.js';
import { until } from '../../helpers/delivery-wait.js';
import { startTestHub, TEST_TOKENS } from '../../../../../test/support/hub-harness.js';
import { faultDraft } from '../../helpers/outbox-drafts.js';
import { signalChild } from '../../../src/core/signal-child.js';
import { FROM_SOURCE } from '../../../../../test/support/from-source.js';

/**
 * End to end under SIGKILL: a writer child (test/helpers/delivery-writer.ts) records reports into the
 * real outbox while its real Uplink delivers them to a real hub in this process; it is killed at random
 * instants and restarted on the same outbox. Then an uplink here drains the outbox.
 *
 * What must hold, precisely:
 * - every report whose `record` resolved (printed `R seq id`) is stored at the hub exactly once, under
 *   that seq with that id;
 * - the stored seqs are exactly 1..N, N = the outbox's last seq: no gaps at all. A record in flight at a
 *   kill either reached the log (then it is replayed and delivered, though never printed) or did not
 *   (then its seq is handed out again): so at most one unprinted stored seq per kill;
 * - no torn or corrupt log record is ever delivered (every few kills a damaged frame is appended to the
 *   log, as a power cut could leave it), and every stored row is a valid report;
 * - no eviction happened (it would be a legitimate gap) and the drained outbox stays empty on reopen.
 */

const ROOT = resolve(fileURLToPath(import.meta.url), '../../../..');
const WRITER = join(ROOT, 'test/helpers/delivery-writer.ts');
const RUNS = 52;
const TOKEN = TEST_TOKENS['T-0001'];
/** Seqs of the damaged frames: far above anything recorded, so only their damage can keep them out. */
const POISON_SEQ_BASE = 1_000_000_000;

const dir = mkdtempSync(join(tmpdir(), 'posdiag-delivery-crash-'));
let hub: Awaited<ReturnType<typeof startTestHub>>;
beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(async () => {
  await hub?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Runs the writer and SIGKILLs it 20–200 ms after it is ready (records and acks under way), or, when
 * `early`, at a random instant from spawn (often while it opens and replays the log). Resolves with the
 * lines it printed.
 */
function runAndKill(early: boolean): Promise<string[]> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [...FROM_SOURCE, WRITER, dir, hub.hub.url, TOKEN], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let armed = false;
    const arm = (minMs: number, maxMs: number) => {
      armed = true;
      setTimeout(() => signalChild(child, 'SIGKILL'), minMs + Math.random() * (maxMs - minMs));
    };
    if (early) arm(0, 700);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!armed && stdout.startsWith('ready\n')) arm(20, 200);
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
 * Appends a damaged record frame to the log, as a power cut can leave one: torn (cut short) or with a
 * flipped payload byte (bad checksum). Returns the id of the report it carries, which must never arrive.
 */
function appendDamagedFrame(run: number): string | null {
  const logPath = join(dir, OUTBOX_LOG_FILE);
  if (!existsSync(logPath)) return null;
  const report = { ...faultDraft(), seq: POISON_SEQ_BASE + run } as Report;
  const frame = encodeEntry({ t: 'r', r: report });
  if (run % 2) {
    appendFileSync(logPath, frame.subarray(0, 1 + Math.floor(Math.random() * (frame.length - 1))));
  } else {
    const at = 8 + Math.floor(Math.random() * (frame.length - 8));
    frame[at] = frame[at]! ^ 0x01;
    appendFileSync(logPath, frame);
  }
  return report.id;
}

describe('delivery under SIGKILL of the agent', () => {
  it(`delivers every recorded report exactly once across ${RUNS} kills, and nothing corrupt`, async () => {
    const printed = new Map<number, string>();
    const reprinted: number[] = [];
    const poisonIds = new Set<string>();
    for (let run = 0; run < RUNS; run++) {
      for (const line of await runAndKill(run % 5 === 4)) {
        if (line === 'ready') continue;
        const match = /^R (\d+) (\S+)$/.exec(line);
        expect(match, `unexpected writer line ${JSON.stringify(line)}`).not.toBeNull();
        const seq = Number(match![1]);
        if (printed.has(seq)) reprinted.push(seq);
        printed.set(seq, match![2]!);
      }
      if (run % 4 === 3) {
        const poison = appendDamagedFrame(run);
        if (poison) poisonIds.add(poison);
      }
    }
    // A recorded seq is never handed out again, whatever the kills did.
    expect(reprinted).toEqual([]);
    // Deliveries (and so outbox deletes) ran while the writer was recording and being killed.
    const storedWhileKilling = hub.stored.length;
    expect(storedWhileKilling).toBeGreaterThan(0);
    expect(poisonIds.size).toBeGreaterThan(0);

    const outbox = await openDeliveryOutbox(dir);
    const uplink = startDeliveryUplink(outbox, hub.hub.url, TOKEN);
    await until(() => outbox.pending().length === 0, 20_000, 'the outbox to drain');
    await uplink.stop();
    const lastSeq = outbox.lastSeq();
    expect(outbox.stats()).toMatchObject({ storage: 'disk', droppedTotal: 0 });
    await outbox.close();

    const reopened = await openDeliveryOutbox(dir);
    expect(reopened.pending()).toEqual([]);
    expect(reopened.lastSeq()).toBe(lastSeq);
    await reopened.close();

    const stored = summarizeStored(await fetchStoredReports(hub.api));
    expect(stored.invalid).toEqual([]);
    expect([...stored.idBySeq.values()].filter((id) => poisonIds.has(id))).toEqual([]);
    expect(stored.duplicateIds).toEqual([]);
    expect(stored.duplicateSeqs).toEqual([]);
    expect(stored.seqs.length).toBe(lastSeq);
    expect(seqsOutOfPlace(stored.seqs)).toEqual([]);
    // Each report was stored as new once; a resend after a lost ack was acked as a duplicate only.
    expect(hub.stored.length).toBe(lastSeq);

    const misdelivered = [...printed].filter(([seq, id]) => stored.idBySeq.get(seq) !== id);
    expect(misdelivered).toEqual([]);
    const unprinted = stored.seqs.filter((seq) => !printed.has(seq));
    expect(unprinted.length).toBeLessThanOrEqual(RUNS);
    expect(printed.size).toBeGreaterThan(RUNS);
  }, 240_000);
});
