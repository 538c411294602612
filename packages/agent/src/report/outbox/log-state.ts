import type { Logger } from '../../log/logger.js';
import type { OutboxStats } from '../outbox-contract.js';
import type { Report } from 'posdiag-protocol';
import { parseEntry, type LogEntry } from './entries.js';
import { decodeFrames, FRAME_HEADER_BYTES } from './frame.js';

/** The log's file in the outbox's directory. */
export const OUTBOX_LOG_FILE = 'outbox.log';

export interface Held {
  report: Report;
  /** The report's log frame, kept so a compaction rewrites it without re-encoding. */
  frame: Buffer;
  /** False only for reports recorded while the disk failed and not yet moved back to it. */
  onDisk: boolean;
}

/**
 * What the outbox log's entries describe: the pending reports (an index by seq and id, and the bytes
 * their frames take), the seq high-water mark and what evicted reports leave behind. The open outbox
 * keeps one up to date; the read-only reader (read-only-stats.ts) replays one from the log, so both
 * count pending reports, bytes and drops the same way.
 */
export class LogState {
  /** Pending reports by seq; insertion order is seq order. */
  readonly live = new Map<number, Held>();
  private readonly seqById = new Map<string, number>();
  private liveBytes = 0;
  last = 0;
  dropped: number[] = [];
  droppedTotal = 0;

  stats(storage: OutboxStats['storage']): OutboxStats {
    return {
      pending: this.live.size,
      bytes: this.liveBytes,
      storage,
      droppedSeqs: [...this.dropped].sort((a, b) => a - b),
      droppedTotal: this.droppedTotal,
    };
  }

  /** The sum of the pending reports' frames, as `stats().bytes`. */
  get bytes(): number {
    return this.liveBytes;
  }

  seqOf(id: string): number | undefined {
    return this.seqById.get(id);
  }

  add(held: Held): void {
    this.live.set(held.report.seq, held);
    this.seqById.set(held.report.id, held.report.seq);
    this.liveBytes += held.frame.length;
  }

  remove(held: Held): void {
    this.live.delete(held.report.seq);
    this.seqById.delete(held.report.id);
    this.liveBytes -= held.frame.length;
  }

  /**
   * Replays a log's bytes into this (empty) state; returns how many leading bytes hold valid entries.
   * Whatever follows is damage: a torn or corrupt frame, or an entry that cannot stand where it is.
   */
  replay(bytes: Buffer, log: Logger): number {
    const { payloads, goodLength, damage } = decodeFrames(bytes);
    let offset = 0;
    // Report seqs grow strictly along the log (a compacted log's header may already count them).
    let previousSeq = 0;
    for (const [index, payload] of payloads.entries()) {
      const end = offset + FRAME_HEADER_BYTES + payload.length;
      const entry = parseEntry(payload);
      const inOrder = entry?.t !== 'r' || entry.r.seq > previousSeq;
      if (!entry || !inOrder || !this.apply(entry, index === 0, bytes.subarray(offset, end))) {
        log.warn({ offset, cutBytes: bytes.length - offset }, 'outbox log entry not understood; log cut there');
        return offset;
      }
      if (entry.t === 'r') previousSeq = entry.r.seq;
      offset = end;
    }
    if (damage) log.warn({ damage, cutBytes: bytes.length - goodLength }, 'outbox log tail cut');
    return goodLength;
  }

  /** Applies one replayed entry; false if it cannot stand where it is (the log is cut there). */
  private apply(entry: LogEntry, first: boolean, frame: Buffer): boolean {
    switch (entry.t) {
      case 'h':
        if (!first) return false;
        this.last = entry.lastSeq;
        this.dropped = [...entry.dropped];
        this.droppedTotal = entry.droppedTotal;
        return true;
      case 'r':
        this.last = Math.max(this.last, entry.r.seq);
        this.add({ report: entry.r, frame: Buffer.from(frame), onDisk: true });
        return true;
      case 'a': {
        const held = this.live.get(entry.seq);
        if (held) this.remove(held);
        return true;
      }
      case 'k': {
        const taken = new Set(entry.seqs);
        this.dropped = this.dropped.filter((seq) => !taken.has(seq));
        return true;
      }
    }
  }
}
