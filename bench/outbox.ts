import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openOutbox } from '../packages/agent/src/report/outbox.js';
import { encodeEntry } from '../packages/agent/src/report/outbox/entries.js';
import type { Report } from 'posdiag-protocol';
import { faultDraft } from '../packages/agent/test/helpers/outbox-drafts.js';

const APPENDS = 2_000;
const ROUNDS = 4;
/** Untimed appends first on both sides, so JIT warm-up (zod, JSON) is not counted as steady state. */
const WARMUP = 300;

/**
 * Durable appends through the outbox (`record`, each awaited) against the floor of the same work done
 * by hand: `writeSync` + `fdatasyncSync` of the same frames to a file in the same directory. The rounds
 * alternate between the two so a drifting disk does not favour either. `ratio` = ours ÷ raw, in appends
 * per second (1 = no overhead).
 */
export default async function run(): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'posdiag-bench-outbox-'));
  try {
    const drafts = Array.from({ length: WARMUP + APPENDS }, () => faultDraft());
    const frames = drafts.map((draft, i) => encodeEntry({ t: 'r', r: { ...draft, seq: i + 1 } as Report }));
    const outbox = await openOutbox({ dir: join(dir, 'outbox'), maxBytes: 256 * 1024 * 1024, memoryRing: 16 });
    const rawFd = openSync(join(dir, 'raw.log'), 'a');
    const perRound = APPENDS / ROUNDS;
    let oursMs = 0;
    let rawMs = 0;
    try {
      for (const draft of drafts.splice(0, WARMUP)) await outbox.record(draft);
      for (const frame of frames.splice(0, WARMUP)) {
        writeSync(rawFd, frame);
        fdatasyncSync(rawFd);
      }
      for (let round = 0; round < ROUNDS; round++) {
        const slice = [round * perRound, (round + 1) * perRound] as const;
        let start = performance.now();
        for (const draft of drafts.slice(...slice)) await outbox.record(draft);
        oursMs += performance.now() - start;

        start = performance.now();
        for (const frame of frames.slice(...slice)) {
          writeSync(rawFd, frame);
          fdatasyncSync(rawFd);
        }
        rawMs += performance.now() - start;
      }
    } finally {
      closeSync(rawFd);
      await outbox.close();
    }
    const oursPerSec = (APPENDS / oursMs) * 1000;
    const rawPerSec = (APPENDS / rawMs) * 1000;
    return {
      appends: APPENDS,
      frameBytes: Math.round(frames.reduce((sum, f) => sum + f.length, 0) / APPENDS),
      oursPerSec: Math.round(oursPerSec),
      rawPerSec: Math.round(rawPerSec),
      ratio: Number((oursPerSec / rawPerSec).toFixed(3)),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
