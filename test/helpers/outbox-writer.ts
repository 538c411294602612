/**
 * Child process of test/outbox-crash.test.ts: records reports in a loop on the outbox in argv[2] until
 * it is killed. Protocol on stdout, one line each, written synchronously so a line is out before the
 * next step starts:
 *   `ready`      the outbox is open
 *   `R <seq>`    record(seq) resolved
 *   `K <seq>`    about to ack seq (the ack may or may not be durable if killed now)
 *   `A <seq>`    ack(seq) resolved
 * At start it acks all but the newest KEEP pending reports, so the log stays far below maxBytes (no
 * eviction) while compactions still happen.
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

const pending = outbox.pending();
for (const report of pending.slice(0, Math.max(0, pending.length - KEEP))) {
  out(`K ${report.seq}`);
  await outbox.ack(report.id);
  out(`A ${report.seq}`);
}

for (;;) {
  const report = await outbox.record(faultDraft({ padding: Math.floor(Math.random() * 1500) }));
  out(`R ${report.seq}`);
  if (report.seq % 5 !== 0) {
    out(`K ${report.seq}`);
    await outbox.ack(report.id);
    out(`A ${report.seq}`);
  }
}
