/**
 * Child process of test/report/delivery/delivery-crash.test.ts: an agent's delivery path, to be SIGKILLed at random.
 * Opens the real outbox on DIR, starts a real Uplink to the hub at URL, and records fault-report drafts
 * in a loop until killed, so the hub's acks (outbox deletes) interleave with records and compactions.
 * Stdout, one line each, written when the step is done:
 *   `ready`          the outbox is open (its log replayed) and the uplink started
 *   `R <seq> <id>`   record() resolved: the report is durable and must reach the hub exactly once
 * Usage: node --import tsx --conditions=posdiag-source test/helpers/delivery-writer.ts DIR URL TOKEN
 */
import { setTimeout as delay } from 'node:timers/promises';
import { openDeliveryOutbox, startDeliveryUplink } from './delivery-agent.js';
import { faultDraft } from './outbox-drafts.js';

/** Real time between records, so socket I/O runs in between (records themselves never yield to it). */
const RECORD_INTERVAL_MS = 2;

const [dir, url, token] = process.argv.slice(2);
if (!dir || !url || !token) throw new Error('usage: delivery-writer.ts DIR URL TOKEN');

const outbox = await openDeliveryOutbox(dir);
startDeliveryUplink(outbox, url, token);
// libuv writes to the pipe at once when it has room, and the parent keeps draining it.
process.stdout.write('ready\n');
for (;;) {
  const report = await outbox.record(faultDraft({ padding: Math.floor(Math.random() * 1500) }));
  process.stdout.write(`R ${report.seq} ${report.id}\n`);
  await delay(RECORD_INTERVAL_MS);
}
