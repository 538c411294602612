import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../../../test/support/fake-clock.js';
import { DISK_RETRY_MS, OUTBOX_LOG_FILE, openOutbox, type OutboxOptions } from '../../../src/report/outbox.js';
import type { Outbox } from '../../../src/report/outbox-contract.js';
import { nodeOutboxFs, type OutboxFs } from '../../../src/report/outbox/fs-seam.js';
import type { Report } from 'posdiag-protocol';
import { faultDraft } from '../../helpers/outbox-drafts.js';

/**
 * The real file system, except that while `failure` is set every write-side operation (or only those
 * in `only`) fails with it. `tornAppends` makes a failing append write half its bytes first, as a disk
 * filling up does.
 */
function faultyFs() {
  const control = { failure: null as string | null, tornAppends: false, only: null as Set<string> | null };
  const check = (op: string) => {
    if (control.failure && (!control.only || control.only.has(op))) throw Object.assign(new Error(`${control.failure}: injected at ${op}`), { code: control.failure });
  };
  const fs: OutboxFs = {
    readFile: (path) => nodeOutboxFs.readFile(path),
    mkdir: async (path) => (check('mkdir'), nodeOutboxFs.mkdir(path)),
    unlink: async (path) => (check('unlink'), nodeOutboxFs.unlink(path)),
    rename: async (from, to) => (check('rename'), nodeOutboxFs.rename(from, to)),
    syncDir: async (path) => (check('syncDir'), nodeOutboxFs.syncDir(path)),
    overwrite: async (path, data) => (check('overwrite'), nodeOutboxFs.overwrite(path, data)),
    async openAppend(path) {
      check('openAppend');
      const file = await nodeOutboxFs.openAppend(path);
      return {
        async append(data) {
          if (control.failure && control.tornAppends) await file.append(data.subarray(0, data.length >> 1));
          check('append');
          await file.append(data);
        },
        datasync: async () => (check('datasync'), file.datasync()),
        truncate: async (length) => (check('truncate'), file.truncate(length)),
        close: () => file.close(),
      };
    },
  };
  return { fs, control };
}

let dir: string;
let clock: FakeClock;
const opened: Outbox[] = [];

async function open(options: Partial<OutboxOptions> = {}): Promise<Outbox> {
  const outbox = await openOutbox({ dir, maxBytes: 1024 * 1024, memoryRing: 16, clock, ...options });
  opened.push(outbox);
  return outbox;
}

function watchStorage(outbox: Outbox) {
  const changes: Array<[string, string | undefined]> = [];
  outbox.onStorageChange((storage, error) => changes.push([storage, (error as NodeJS.ErrnoException | undefined)?.code]));
  return changes;
}

const seqs = (reports: Report[]) => reports.map((r) => r.seq);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'posdiag-outbox-fail-'));
  clock = new FakeClock();
});

afterEach(async () => {
  for (const outbox of opened.splice(0)) await outbox.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('outbox when the disk fails', () => {
  for (const code of ['ENOSPC', 'EIO', 'EROFS', 'EDQUOT']) {
    it(`holds reports in memory on ${code}, then moves them back to disk when writes work again`, async () => {
      const { fs, control } = faultyFs();
      const outbox = await open({ fs });
      const changes = watchStorage(outbox);
      const onDisk = await outbox.record(faultDraft());

      control.failure = code;
      control.tornAppends = true;
      const held = [await outbox.record(faultDraft()), await outbox.record(faultDraft())];
      expect(outbox.stats().storage).toBe('memory');
      expect(changes).toEqual([['memory', code]]);
      expect(seqs(outbox.pending())).toEqual([1, 2, 3]);

      // A retry after the back-off, while the disk still fails, keeps it in memory.
      await clock.advance(DISK_RETRY_MS);
      held.push(await outbox.record(faultDraft()));
      expect(outbox.stats().storage).toBe('memory');

      control.failure = null;
      await outbox.ack(held[0]!.id); // in memory only, until the disk is back
      // Before the back-off ends the disk is not tried again.
      held.push(await outbox.record(faultDraft()));
      expect(outbox.stats().storage).toBe('memory');
      await clock.advance(DISK_RETRY_MS);
      held.push(await outbox.record(faultDraft()));
      expect(outbox.stats().storage).toBe('disk');
      expect(changes).toEqual([['memory', code], ['disk', undefined]]);

      await outbox.close();
      const reopened = await open();
      expect(reopened.pending()).toEqual([onDisk, ...held.slice(1)]);
      expect(reopened.lastSeq()).toBe(6);
    });
  }

  it('bounds the memory ring by evicting held reports, lowest severity oldest first', async () => {
    const { fs, control } = faultyFs();
    const outbox = await open({ fs, memoryRing: 16 });
    const durable = await outbox.record(faultDraft({ severity: 'info' }));
    control.failure = 'EIO';
    const held: Report[] = [];
    for (let i = 0; i < 20; i++) held.push(await outbox.record(faultDraft({ severity: i % 2 ? 'minor' : 'critical' })));
    const minors = held.filter((r) => r.kind === 'fault' && r.severity === 'minor');
    // The 4 oldest minors go; the info report on disk is not part of the ring.
    expect(outbox.stats().droppedSeqs).toEqual(seqs(minors.slice(0, 4)));
    expect(outbox.stats()).toMatchObject({ pending: 17, droppedTotal: 4, storage: 'memory' });
    expect(outbox.pending()[0]).toEqual(durable);

    control.failure = null;
    await clock.advance(DISK_RETRY_MS);
    await outbox.record(faultDraft());
    await outbox.close();
    const reopened = await open();
    expect(reopened.stats()).toMatchObject({ pending: 18, droppedSeqs: seqs(minors.slice(0, 4)), droppedTotal: 4 });
  });

  it('never hands a seq out twice across a crash in memory mode: the hub sees a gap, not a repeat', async () => {
    const { fs, control } = faultyFs();
    const outbox = await open({ fs });
    await outbox.record(faultDraft());
    // A full disk: appends and new files fail, rewriting the mark's existing block does not.
    control.failure = 'ENOSPC';
    control.only = new Set(['openAppend', 'append', 'datasync', 'truncate', 'rename', 'mkdir', 'unlink', 'syncDir']);
    // The report whose append fails is the first one held in memory only.
    expect((await outbox.record(faultDraft())).seq).toBe(2);
    expect(outbox.stats().storage).toBe('memory');
    opened.splice(opened.indexOf(outbox), 1); // crashes: never closed, the memory-held report is gone

    control.failure = null;
    const restarted = await open({ fs });
    expect(seqs(restarted.pending())).toEqual([1]);
    expect((await restarted.record(faultDraft())).seq).toBe(3);

    // And a run of them in memory mode, crashing again.
    control.failure = 'ENOSPC';
    const lost = [await restarted.record(faultDraft()), await restarted.record(faultDraft())];
    expect(seqs(lost)).toEqual([4, 5]);
    opened.splice(opened.indexOf(restarted), 1);
    control.failure = null;
    expect((await (await open({ fs })).record(faultDraft())).seq).toBe(6);
  });

  it('warns once when the seq mark cannot be written either, and still records', async () => {
    const { recordingLogger } = await import('../../../../../test/support/recording-logger.js');
    const log = recordingLogger();
    const { fs, control } = faultyFs();
    const outbox = await open({ fs, log });
    control.failure = 'EIO';
    for (let i = 0; i < 3; i++) await outbox.record(faultDraft());
    expect(seqs(outbox.pending())).toEqual([1, 2, 3]);
    expect(log.entries.filter((e) => e.msg?.includes('seq mark'))).toHaveLength(1);
  });

  it('ignores a damaged seq mark and goes on from the log', async () => {
    const first = await open();
    await first.record(faultDraft());
    await first.close();
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'outbox.seq'), '00000000000000000099 deadbeef\n');
    const outbox = await open();
    expect((await outbox.record(faultDraft())).seq).toBe(2);
  });

  it('opens in memory mode on a read-only disk, continuing the seq of the log it can read', async () => {
    const first = await open();
    await first.record(faultDraft());
    await first.close();

    const { fs, control } = faultyFs();
    control.failure = 'EROFS';
    const outbox = await open({ fs });
    expect(outbox.stats().storage).toBe('memory');
    expect((await outbox.record(faultDraft())).seq).toBe(2);
    expect(outbox.stats().pending).toBe(2);
  });

  it('survives a failure in the middle of a compaction', async () => {
    const { fs, control } = faultyFs();
    const maxBytes = 64 * 1024;
    const outbox = await open({ fs, maxBytes });
    const kept: Report[] = [];
    // Fill near the limit so the next record compacts, and make that compaction fail at the rename.
    while (outbox.stats().bytes < maxBytes * 0.8) kept.push(await outbox.record(faultDraft({ severity: 'critical', padding: 1000 })));
    control.failure = 'EIO';
    control.only = new Set(['rename']);
    const sizeBefore = statSync(join(dir, OUTBOX_LOG_FILE)).size;
    while (outbox.stats().storage === 'disk') kept.push(await outbox.record(faultDraft({ severity: 'critical', padding: 1000 })));
    // It failed compacting: the log filled up to the limit by appends first.
    expect(statSync(join(dir, OUTBOX_LOG_FILE)).size).toBeGreaterThan(sizeBefore);
    expect(outbox.stats().droppedTotal).toBeGreaterThan(0);
    control.failure = null;
    await clock.advance(DISK_RETRY_MS);
    await outbox.record(faultDraft({ severity: 'info' }));
    expect(outbox.stats().storage).toBe('disk');
    const pending = outbox.pending();
    await outbox.close();
    const reopened = await open({ maxBytes });
    expect(reopened.pending()).toEqual(pending);
    expect(reopened.lastSeq()).toBe(outbox.lastSeq());
  });
});
