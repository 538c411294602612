import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OUTBOX_LOG_FILE, openOutbox, type OutboxOptions } from '../../../src/report/outbox.js';
import type { Outbox } from '../../../src/report/outbox-contract.js';
import { reportSchema, type Report, type Severity } from 'posdiag-protocol';
import { faultDraft, heartbeatDraft } from '../../helpers/outbox-drafts.js';
import { recordingLogger } from '../../../../../test/support/recording-logger.js';

let dir: string;
const opened: Outbox[] = [];

async function open(options: Partial<OutboxOptions> = {}): Promise<Outbox> {
  const outbox = await openOutbox({ dir, maxBytes: 1024 * 1024, memoryRing: 16, ...options });
  opened.push(outbox);
  return outbox;
}

async function reopen(outbox: Outbox, options: Partial<OutboxOptions> = {}): Promise<Outbox> {
  await outbox.close();
  return open(options);
}

const seqs = (reports: Report[]) => reports.map((r) => r.seq);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'posdiag-outbox-'));
});

afterEach(async () => {
  for (const outbox of opened.splice(0)) await outbox.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('outbox', () => {
  it('assigns seqs from 1, lists pending in seq order, and tells record listeners', async () => {
    const outbox = await open();
    const heard: number[] = [];
    outbox.onRecord((report) => heard.push(report.seq));
    const drafts = [faultDraft(), heartbeatDraft(), faultDraft({ severity: 'critical' })];
    for (const draft of drafts) await outbox.record(draft);
    expect(seqs(outbox.pending())).toEqual([1, 2, 3]);
    expect(seqs(outbox.pending(2))).toEqual([1, 2]);
    expect(outbox.pending().map((r) => r.id)).toEqual(drafts.map((d) => d.id));
    expect(heard).toEqual([1, 2, 3]);
    expect(outbox.lastSeq()).toBe(3);
    expect(outbox.stats()).toMatchObject({ pending: 3, storage: 'disk', droppedSeqs: [], droppedTotal: 0 });
  });

  it('rejects a draft that is not a valid report and keeps the seq line intact', async () => {
    const outbox = await open();
    await expect(outbox.record({ ...faultDraft(), code: 'Not A Code' } as never)).rejects.toThrow();
    expect((await outbox.record(faultDraft())).seq).toBe(1);
  });

  it('masks card data that got past the report builder before it reaches the disk, and says so', async () => {
    const log = recordingLogger();
    const outbox = await open({ log });
    const draft = faultDraft();
    if (draft.kind !== 'fault') throw new Error('a fault draft');
    const leaky = { ...draft, evidence: { ...draft.evidence, 'card_reader.raw': 'swiped 4111 1111 1111 1111 and %B4111111111111111^TEST/CARD^2512101?' } };
    const recorded = await outbox.record(leaky);
    expect(recorded.kind === 'fault' && recorded.evidence['card_reader.raw']).toBe('swiped 411111******1111 and [track data removed]');
    expect(readFileSync(join(dir, OUTBOX_LOG_FILE)).toString('latin1')).not.toMatch(/4111111111111111|1111 1111 1111/);
    expect(log.entries.filter((e) => e.level === 'error').map((e) => e.msg)).toEqual(['card data masked at the outbox: it got past the report builder']);
    // A clean draft passes untouched and silently.
    const clean = faultDraft();
    expect(await outbox.record(clean)).toEqual({ ...clean, seq: 2 });
    expect(log.entries.filter((e) => e.level === 'error')).toHaveLength(1);
  });

  it('keeps reports and acks across reopen', async () => {
    let outbox = await open();
    const reports = [];
    for (let i = 0; i < 5; i++) reports.push(await outbox.record(faultDraft()));
    await outbox.ack(reports[1]!.id);
    await outbox.ack(reports[3]!.id);
    await outbox.ack(reports[3]!.id); // the hub acks duplicates too
    outbox = await reopen(outbox);
    expect(outbox.pending()).toEqual([reports[0], reports[2], reports[4]]);
    expect(outbox.lastSeq()).toBe(5);
    expect((await outbox.record(faultDraft())).seq).toBe(6);
  });

  it('never reuses a seq, even after every report was acked and the log compacted', async () => {
    let outbox = await open({ maxBytes: 64 * 1024 });
    for (let i = 0; i < 100; i++) {
      const report = await outbox.record(faultDraft({ padding: 500 }));
      await outbox.ack(report.id);
    }
    // 100 reports of ~1.5 KiB went through a 64 KiB log: it was compacted several times.
    expect(statSync(join(dir, OUTBOX_LOG_FILE)).size).toBeLessThan(64 * 1024);
    outbox = await reopen(outbox, { maxBytes: 64 * 1024 });
    expect(outbox.pending()).toEqual([]);
    expect(outbox.lastSeq()).toBe(100);
    expect((await outbox.record(faultDraft())).seq).toBe(101);
  });

  it('cuts a torn tail at open, never returns it, and appends cleanly after it', async () => {
    let outbox = await open();
    const first = await outbox.record(faultDraft());
    await outbox.close();
    const logPath = join(dir, OUTBOX_LOG_FILE);
    const whole = readFileSync(logPath);
    appendFileSync(logPath, whole.subarray(0, whole.length - 3)); // a second record, torn
    outbox = await open();
    expect(outbox.pending()).toEqual([first]);
    expect(statSync(logPath).size).toBe(whole.length);
    const second = await outbox.record(faultDraft());
    expect(second.seq).toBe(2);
    outbox = await reopen(outbox);
    expect(outbox.pending()).toEqual([first, second]);
  });

  it('cuts the log at a corrupt record and returns only intact reports', async () => {
    let outbox = await open();
    const reports = [];
    for (let i = 0; i < 3; i++) reports.push(await outbox.record(faultDraft()));
    await outbox.close();
    const logPath = join(dir, OUTBOX_LOG_FILE);
    const bytes = readFileSync(logPath);
    const flipAt = Math.floor(bytes.length / 2); // inside the second record
    bytes[flipAt]! ^= 0x20;
    writeFileSync(logPath, bytes);
    outbox = await open();
    expect(outbox.pending()).toEqual([reports[0]]);
    for (const report of outbox.pending()) expect(reportSchema.safeParse(report).success).toBe(true);
  });

  describe('when full', () => {
    const severities: Severity[] = ['critical', 'info', 'major', 'minor', 'info', 'critical', 'minor', 'major'];

    async function fill(outbox: Outbox, count: number): Promise<Report[]> {
      const reports = [];
      for (let i = 0; i < count; i++) {
        const severity = severities[i % severities.length]!;
        reports.push(await outbox.record(i % 5 === 4 ? heartbeatDraft() : faultDraft({ severity, padding: 2000 })));
      }
      return reports;
    }

    it('evicts the oldest lowest-severity reports first and keeps the file under maxBytes', async () => {
      const maxBytes = 64 * 1024;
      const outbox = await open({ maxBytes });
      const reports = await fill(outbox, 60);
      const dropped = outbox.stats().droppedSeqs;
      expect(dropped.length).toBeGreaterThan(0);
      expect(outbox.stats().droppedTotal).toBe(dropped.length);
      expect(statSync(join(dir, OUTBOX_LOG_FILE)).size).toBeLessThanOrEqual(maxBytes);
      expect(outbox.stats().bytes).toBeLessThanOrEqual(maxBytes);

      const rank = (r: Report) => ['info', 'minor', 'major', 'critical'].indexOf(r.kind === 'fault' ? r.severity : 'info');
      const kept = new Set(seqs(outbox.pending()));
      expect(kept.size + dropped.length).toBe(60);
      // Eviction takes the lowest rank first, the oldest first within a rank: so every kept report that
      // is older than an evicted one must rank strictly above it.
      for (const seq of dropped) {
        const evicted = reports[seq - 1]!;
        for (const keptReport of reports.filter((r) => kept.has(r.seq) && r.seq < seq)) {
          expect(rank(keptReport)).toBeGreaterThan(rank(evicted));
        }
      }
      // Criticals recorded before the first eviction all survive: there was always something lower.
      expect(reports.filter((r) => r.kind === 'fault' && r.severity === 'critical').every((r) => kept.has(r.seq))).toBe(true);
    });

    it('persists dropped seqs until a heartbeat carrying them is recorded', async () => {
      const maxBytes = 64 * 1024;
      let outbox = await open({ maxBytes });
      await fill(outbox, 60);
      const dropped = outbox.stats().droppedSeqs;
      const total = outbox.stats().droppedTotal;

      outbox = await reopen(outbox, { maxBytes });
      expect(outbox.stats()).toMatchObject({ droppedSeqs: dropped, droppedTotal: total });

      // Taken but the heartbeat never recorded (a crash in between): announced again after reopen.
      expect(outbox.takeDropped()).toEqual(dropped);
      expect(outbox.stats().droppedSeqs).toEqual([]);
      outbox = await reopen(outbox, { maxBytes });
      expect(outbox.stats().droppedSeqs).toEqual(dropped);

      // Taken and the heartbeat recorded: gone for good, the total stays.
      expect(outbox.takeDropped()).toEqual(dropped);
      await outbox.record(heartbeatDraft());
      outbox = await reopen(outbox, { maxBytes });
      expect(outbox.stats()).toMatchObject({ droppedSeqs: [], droppedTotal: total });
      expect(outbox.takeDropped()).toEqual([]);
    });
  });
});
