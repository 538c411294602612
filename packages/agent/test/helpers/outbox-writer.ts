/**
 * Child process of test/report/outbox/outbox-crash.test.ts: records reports in a loop on the outbox in argv[2] until
 * it is killed. Protocol on stdout, one line each, written synchronously so a line is out before the
 * next step starts:
 *   `ready`      the outbox is open
 *   `R <seq>`    record(seq) resolved
 *   `K <seq>`    about to ack seq (the ack may or may not be durable if killed now)
 *   `A <seq>`    ack(seq) resolved
 * It acks most reports at once and the oldest whenever more than KEEP are pending, so the pending
 * reports stay far below maxBytes (no eviction) while the log is still compacted again and again.
 */
import { writeSync } from 'node:fs';
import { openOutbox } from '../../src/report/outbox.js';
import { faultDraft } from './outbox-drafts.js';

const WRITER_MAX_BYTES = 128 * 1024;
const KEEP = 40;

function out(line: string): void {
  const bytes = Buffer.from(`${line}\n`);
  for (let written = 0; written < bytes.length; ) {
    try {
      written += writeSync(1, bytes, written);
    } catch (error) {
      // stdout may be a non-blocking pipe; the parent drains it.
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
    }
  }
}

const dir = process.argv[2];
if (!dir) throw new Error('usage: outbox-writer.ts DIR');
const outbox = await openOutbox({ dir, maxBytes: WRITER_MAX_BYTES, memoryRing: 1000 });
out('ready');

async function ack(seq: number, id: string): Promise<void> {
  out(`K ${seq}`);
  await outbox.ack(id);
  out(`A ${seq}`);
}

for (;;) {
  const report = await outbox.record(faultDraft({ padding: Math.floor(Math.random() * 1500) }));
  out(`R ${report.seq}`);
  if (report.seq % 5 !== 0) await ack(report.seq, report.id);
  const [oldest] = outbox.pending();
  if (oldest && outbox.stats().pending > KEEP) await ack(oldest.seq, oldest.id);
}
