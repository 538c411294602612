import { join } from 'node:path';
import { systemClock, type Clock } from 'posdiag-protocol';
import { silentLogger, type Logger } from '../log/logger.js';
import type { Outbox, OutboxStats } from './outbox-contract.js';
import { MAX_FRAME_BYTES, reportSchema, type Report, type ReportDraft } from 'posdiag-protocol';
import { evictionOrder } from './outbox/eviction.js';
import { encodeEntry } from './outbox/entries.js';
import { FRAME_HEADER_BYTES } from './outbox/frame.js';
import { LogState, OUTBOX_LOG_FILE, type Held } from './outbox/log-state.js';
import { nodeOutboxFs, type OutboxFile, type OutboxFs } from './outbox/fs-seam.js';
import { decodeSeqMark, encodeSeqMark, SEQ_MARK_FILE } from './outbox/seq-mark.js';
import { holdsCardData, scrubValue } from '../core/card-scrubber.js';
import { SerialQueue } from '../core/serial-queue.js';

export interface OutboxOptions {
  /** Directory of the log; created if missing. */
  dir: string;
  /** Upper bound of the log file's size (see `evictToFit` for how the room is kept). */
  maxBytes: number;
  /** Most reports held in memory, not on disk, while the disk fails. */
  memoryRing: number;
  clock?: Clock;
  log?: Logger;
  fs?: OutboxFs;
}

export { OUTBOX_LOG_FILE } from './outbox/log-state.js';
/** While the disk fails, a record tries it again at most this often (a retry rewrites the whole log). */
export const DISK_RETRY_MS = 5_000;
/** The heartbeat schema carries at most this many dropped seqs; the rest wait for the next one. */
export const MAX_DROPPED_PER_TAKE = 10_000;

/**
 * Opens (or creates) the outbox in `options.dir`. A torn or corrupt tail is cut. If the log cannot be
 * written (read-only, full, failing disk), the outbox opens in memory mode: `stats().storage` is
 * 'memory' from the start. If the existing log cannot be *read*, this rejects: without it the next seq
 * is unknown, and reusing a seq is worse than not starting.
 */
export async function openOutbox(options: OutboxOptions): Promise<Outbox> {
  const outbox = new LogOutbox(options);
  await outbox.load();
  return outbox;
}

/**
 * An append-only log (see outbox/entries.ts) mirrored by an in-memory index of the pending reports.
 * Every write goes through one queue, so the log's order is the order of operations. When the log would
 * outgrow `maxBytes`, it is compacted: header + pending reports written to a new file, fsync'd, renamed
 * over the old one, directory fsync'd. A crash at any point leaves either the old or the new log.
 * In memory mode nothing is appended; the return to disk is such a compaction, so the log never holds
 * an append that follows a failed one. Only the seq mark (outbox/seq-mark.ts) is rewritten in place
 * for each seq handed out then, so a crash in memory mode leaves a gap at the hub, not a repeated seq.
 */
class LogOutbox implements Outbox {
  private readonly dir: string;
  private readonly logPath: string;
  private readonly tmpPath: string;
  private readonly markPath: string;
  private readonly maxBytes: number;
  private readonly memoryRing: number;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly fs: OutboxFs;

  /** The pending reports and the seqs, as the log's entries describe them (and what is in memory only). */
  private readonly state = new LogState();
  /**
   * Seqs handed out by `takeDropped` whose hand-out is not durable yet. It becomes durable (a `k` entry)
   * only after the next report (the heartbeat carrying them) is, so a crash in between re-announces
   * them rather than forgetting them.
   */
  private takenPending: number[] = [];

  private file: OutboxFile | null = null;
  private fileBytes = 0;
  private storage: 'disk' | 'memory' = 'disk';
  private nextDiskRetry = 0;
  /** The seq mark could not be written in this memory-mode episode (logged once). */
  private markFailing = false;
  private readonly queue = new SerialQueue();
  private closed = false;
  private readonly storageListeners: Array<(storage: 'disk' | 'memory', error?: Error) => void> = [];
  private readonly recordListeners: Array<(report: Report) => void> = [];

  constructor(options: OutboxOptions) {
    this.dir = options.dir;
    this.logPath = join(options.dir, OUTBOX_LOG_FILE);
    this.tmpPath = `${this.logPath}.tmp`;
    this.markPath = join(options.dir, SEQ_MARK_FILE);
    this.maxBytes = options.maxBytes;
    this.memoryRing = options.memoryRing;
    this.clock = options.clock ?? systemClock;
    this.log = (options.log ?? silentLogger).child({ module: 'outbox' });
    this.fs = options.fs ?? nodeOutboxFs;
  }

  async load(): Promise<void> {
    const bytes = await this.fs.readFile(this.logPath);
    const goodLength = bytes ? this.state.replay(bytes, this.log) : 0;
    const mark = await this.fs.readFile(this.markPath).catch(() => null);
    this.state.last = Math.max(this.state.last, (mark && decodeSeqMark(mark)) ?? 0);
    try {
      await this.fs.mkdir(this.dir);
      // Written while the disk works, so the mark's block exists before the disk fills up.
      await this.fs.overwrite(this.markPath, encodeSeqMark(this.state.last));
      await this.fs.syncDir(this.dir);
      // Left by a compaction that died before its rename; the log itself is whole.
      await this.fs.unlink(this.tmpPath);
      this.file = await this.fs.openAppend(this.logPath);
      if (bytes && goodLength < bytes.length) {
        await this.file.truncate(goodLength);
        await this.file.datasync();
      }
      this.fileBytes = goodLength;
    } catch (error) {
      this.degrade(error);
    }
  }

  record(draft: ReportDraft): Promise<Report> {
    return this.serialized(async () => {
      this.assertOpen();
      const report = reportSchema.parse({ ...this.scrubbed(draft), seq: this.state.last + 1 });
      const frame = encodeEntry({ t: 'r', r: report });
      if (frame.length - FRAME_HEADER_BYTES > MAX_FRAME_BYTES) {
        throw new RangeError(`report ${report.id} is ${frame.length} bytes, over ${MAX_FRAME_BYTES}`);
      }
      // A report held in memory only: its seq is marked before anyone can see it.
      if (this.storage === 'memory') await this.markSeq(report.seq);
      // Taken before any write: a frame that may have reached the disk keeps its seq for good.
      this.state.last = report.seq;
      const held: Held = { report, frame, onDisk: false };
      this.state.add(held);
      if (this.storage === 'disk') {
        await this.guard(async () => {
          await this.appendEntry(frame, true);
          held.onDisk = true;
        });
        // The append failed: this seq now lives in memory only, like the ones after it.
        if (!held.onDisk) await this.markSeq(report.seq);
      } else if (this.clock.now() >= this.nextDiskRetry) {
        await this.restoreDisk();
      }
      if (this.storage === 'disk') await this.settleTakes();
      else this.boundMemoryRing();
      this.emitRecord(report);
      return report;
    });
  }

  pending(limit = Number.POSITIVE_INFINITY): Report[] {
    const reports: Report[] = [];
    for (const held of this.state.live.values()) {
      if (reports.length >= limit) break;
      reports.push(held.report);
    }
    return reports;
  }

  ack(id: string): Promise<void> {
    return this.serialized(async () => {
      this.assertOpen();
      const seq = this.state.seqOf(id);
      // Acks repeat (the hub acks duplicates) and may name an evicted report: nothing to do then.
      if (seq === undefined) return;
      this.state.remove(this.state.live.get(seq)!);
      // Not fdatasync'd: the next record's sync carries it. An ack lost to a power cut only means one
      // resend, which the hub stores once and acknowledges as a duplicate; a sync per ack cost a third
      // of the end-to-end throughput.
      if (this.storage === 'disk') await this.guard(() => this.appendEntry(encodeEntry({ t: 'a', seq }), false));
    });
  }

  stats(): OutboxStats {
    return this.state.stats(this.storage);
  }

  takeDropped(): number[] {
    this.state.dropped.sort((a, b) => a - b);
    const taken = this.state.dropped.splice(0, MAX_DROPPED_PER_TAKE);
    this.takenPending.push(...taken);
    return taken;
  }

  lastSeq(): number {
    return this.state.last;
  }

  onStorageChange(listener: (storage: 'disk' | 'memory', error?: Error) => void): void {
    this.storageListeners.push(listener);
  }

  onRecord(listener: (report: Report) => void): void {
    this.recordListeners.push(listener);
  }

  close(): Promise<void> {
    return this.serialized(async () => {
      if (this.closed) return;
      this.closed = true;
      const file = this.file;
      this.file = null;
      await file?.close();
    });
  }

  /**
   * Appends one entry. If it would not fit under `maxBytes`, compacts instead: the in-memory state the
   * entry describes is already applied, so the snapshot carries it.
   */
  private async appendEntry(frame: Buffer, sync: boolean): Promise<void> {
    if (this.fileBytes + frame.length > this.maxBytes) return this.compact();
    await this.file!.append(frame);
    if (sync) await this.file!.datasync();
    this.fileBytes += frame.length;
  }

  private async compact(): Promise<void> {
    this.evictToFit();
    const header = encodeEntry({
      t: 'h',
      lastSeq: this.state.last,
      // Taken seqs stay listed until their `k` entry, for the reason given at `takenPending`.
      dropped: [...this.state.dropped, ...this.takenPending].sort((a, b) => a - b),
      droppedTotal: this.state.droppedTotal,
    });
    const snapshot = Buffer.concat([header, ...[...this.state.live.values()].map((held) => held.frame)]);
    await this.fs.unlink(this.tmpPath);
    const file = await this.fs.openAppend(this.tmpPath);
    try {
      await file.append(snapshot);
      await file.datasync();
      await this.fs.rename(this.tmpPath, this.logPath);
    } catch (error) {
      await file.close().catch(() => {});
      throw error;
    }
    const old = this.file;
    this.file = file;
    this.fileBytes = snapshot.length;
    for (const held of this.state.live.values()) held.onDisk = true;
    await old?.close().catch(() => {});
    await this.fs.syncDir(this.dir);
  }

  /**
   * Evicts before a compaction when the snapshot would leave less than an eighth of `maxBytes` free:
   * then reports go (lowest severity, oldest first) until it fills at most seven eighths. So a full
   * outbox rewrites its log at most once per `maxBytes / 8` appended, instead of on every record.
   */
  private evictToFit(): void {
    const target = this.maxBytes - Math.floor(this.maxBytes / 8);
    // An upper bound of the header's size: each dropped seq adds its digits and a comma.
    let headerBytes =
      FRAME_HEADER_BYTES + 80 + [...this.state.dropped, ...this.takenPending].reduce((sum, seq) => sum + String(seq).length + 1, 0);
    if (headerBytes + this.state.bytes <= target) return;
    for (const held of evictionOrder(this.state.live.values())) {
      if (headerBytes + this.state.bytes <= target) break;
      this.evict(held);
      headerBytes += String(held.report.seq).length + 1;
    }
  }

  /** Keeps at most `memoryRing` reports that exist only in memory, evicting by the same order. */
  private boundMemoryRing(): void {
    const inMemory = [...this.state.live.values()].filter((held) => !held.onDisk);
    const excess = inMemory.length - this.memoryRing;
    for (const held of evictionOrder(inMemory).slice(0, Math.max(0, excess))) this.evict(held);
  }

  private async settleTakes(): Promise<void> {
    if (this.takenPending.length === 0) return;
    const seqs = this.takenPending;
    this.takenPending = [];
    // No fsync of its own: it rides on the next one, and losing it only repeats an announcement.
    await this.guard(() => this.appendEntry(encodeEntry({ t: 'k', seqs }), false));
  }

  /** Moves everything held in memory back to disk by a compaction; stays in memory mode if that fails. */
  private async restoreDisk(): Promise<void> {
    try {
      await this.fs.mkdir(this.dir);
      await this.compact();
    } catch (error) {
      this.nextDiskRetry = this.clock.now() + DISK_RETRY_MS;
      this.log.warn({ err: error }, 'outbox disk still failing; reports stay in memory');
      return;
    }
    this.storage = 'disk';
    this.log.info({ pending: this.state.live.size }, 'outbox back on disk');
    this.emitStorage('disk');
  }

  /**
   * The draft through the card scrubber once more before it can reach the disk: the report builder has
   * scrubbed what came from devices, so finding anything here is a bug upstream, said loudly. A PAN-like
   * number in a numeric field becomes a masked string and the schema then refuses the report: better
   * no report than a stored PAN (SPEC §8).
   */
  private scrubbed(draft: ReportDraft): ReportDraft {
    if (!holdsCardData(draft)) return draft;
    this.log.error({ id: draft.id, kind: draft.kind }, 'card data masked at the outbox: it got past the report builder');
    return scrubValue(draft);
  }

  /** Records `seq` as handed out before a memory-mode report takes it; best effort (see seq-mark.ts). */
  private async markSeq(seq: number): Promise<void> {
    try {
      await this.fs.overwrite(this.markPath, encodeSeqMark(seq));
      this.markFailing = false;
    } catch (err) {
      if (!this.markFailing) this.log.warn({ err }, 'outbox cannot write its seq mark either: after a crash now, seqs may repeat');
      this.markFailing = true;
    }
  }

  /** Runs a write; any failure switches to memory mode (the caller's state change stays applied). */
  private async guard(write: () => Promise<void>): Promise<void> {
    try {
      await write();
    } catch (error) {
      this.degrade(error);
    }
  }

  private degrade(error: unknown): void {
    const err = error instanceof Error ? error : new Error(String(error));
    this.nextDiskRetry = this.clock.now() + DISK_RETRY_MS;
    const file = this.file;
    this.file = null;
    void file?.close().catch(() => {});
    if (this.storage === 'memory') return;
    this.storage = 'memory';
    this.log.error({ err }, 'outbox cannot write to disk; holding reports in memory');
    this.emitStorage('memory', err);
  }

  private evict(held: Held): void {
    this.state.remove(held);
    this.state.dropped.push(held.report.seq);
    this.state.droppedTotal += 1;
    this.log.warn({ seq: held.report.seq, kind: held.report.kind }, 'outbox full: report evicted');
  }

  private emitStorage(storage: 'disk' | 'memory', error?: Error): void {
    for (const listener of this.storageListeners) {
      try {
        listener(storage, error);
      } catch (err) {
        this.log.error({ err }, 'outbox storage listener threw');
      }
    }
  }

  private emitRecord(report: Report): void {
    for (const listener of this.recordListeners) {
      try {
        listener(report);
      } catch (err) {
        this.log.error({ err }, 'outbox record listener threw');
      }
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('outbox is closed');
  }

  private serialized<T>(operation: () => Promise<T>): Promise<T> {
    return this.queue.run(operation);
  }
}
