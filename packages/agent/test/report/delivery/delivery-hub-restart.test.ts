import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as yieldToIo } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { AGENT_PATH } from 'posdiag-protocol';
import type { Hub } from 'posdiag-hub';
import type { Outbox } from '../../../src/report/outbox-contract.js';
import { openDeliveryOutbox, startDeliveryUplink } from '../../helpers/delivery-agent.js';
import { fetchStoredReports, freePort, seqsOutOfPlace, summarizeStored } from '../../helpers/delivery-hub.js';
import { until } from '../../helpers/delivery-wait.js';
import { startTestHub, TEST_TOKENS } from '../../../../../test/support/hub-harness.js';
import { faultDraft } from '../../helpers/outbox-drafts.js';

/**
 * End to end through a hub outage: the real outbox and a real Uplink deliver to a real hub, which goes
 * away and comes back on the same database file and port. Every report must be stored exactly once
 * (a report stored just before the outage whose ack was lost is resent and acked as a duplicate) and
 * the outbox must end up empty.
 */

const TOKEN = TEST_TOKENS['T-0001'];
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function agentOn(url: string) {
  const dir = mkdtempSync(join(tmpdir(), 'posdiag-delivery-restart-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const outbox = await openDeliveryOutbox(dir);
  cleanups.push(() => outbox.close());
  const uplink = startDeliveryUplink(outbox, url, TOKEN);
  cleanups.push(() => uplink.stop());
  return { outbox, uplink };
}

async function hubOn(port: number) {
  const h = await startTestHub({ port });
  cleanups.push(() => h.cleanup());
  return h;
}

/** Reports recorded back to back before socket I/O gets a turn: bursts keep the send window full. */
const BURST = 25;

/** Records `count` reports in bursts, letting socket I/O run between them; returns seq → id of each. */
async function recordReports(outbox: Outbox, count: number, into = new Map<number, string>()): Promise<Map<number, string>> {
  for (let i = 0; i < count; i++) {
    const report = await outbox.record(faultDraft({ padding: 300 }));
    into.set(report.seq, report.id);
    if (i % BURST === BURST - 1) await yieldToIo();
  }
  return into;
}

/** The hub holds exactly the recorded reports: seqs 1..n, each once, under the id it was recorded with. */
async function expectStoredExactlyOnce(h: Awaited<ReturnType<typeof startTestHub>>, recorded: Map<number, string>): Promise<void> {
  const stored = summarizeStored(await fetchStoredReports(h.api));
  expect(stored.invalid).toEqual([]);
  expect(stored.duplicateIds).toEqual([]);
  expect(stored.duplicateSeqs).toEqual([]);
  expect(stored.seqs.length).toBe(recorded.size);
  expect(seqsOutOfPlace(stored.seqs)).toEqual([]);
  expect([...recorded].filter(([seq, id]) => stored.idBySeq.get(seq) !== id)).toEqual([]);
  // Stored as new once each, across both hub lives; resends were acked as duplicates.
  expect(h.stored.length).toBe(recorded.size);
}

describe('delivery across hub outages', () => {
  it('delivers 300 reports exactly once when the hub restarts mid-stream on the same db and port', async () => {
    const h = await hubOn(await freePort());
    const { outbox, uplink } = await agentOn(h.hub.url);

    // The first hub goes down the moment it has stored seq 100, with later reports in flight or queued.
    const firstHub: Hub = h.hub;
    let outage: Promise<void> | undefined;
    let pendingAtOutage = 0;
    firstHub.onStored((row) => {
      if (row.seq !== 100) return;
      pendingAtOutage = outbox.pending().length;
      outage = firstHub.close();
    });
    const recorded = await recordReports(outbox, 150);
    await until(() => outage !== undefined, 10_000, 'the first hub to store seq 100');
    await outage;
    const storedByFirstHub = h.stored.length;

    // Recorded while the hub is down; the uplink keeps retrying with its small backoff.
    await recordReports(outbox, 150, recorded);
    const reconnectsBefore = uplink.status().reconnects;
    await until(() => uplink.status().reconnects >= reconnectsBefore + 2, 10_000, 'retries against the downed hub');
    expect(uplink.status().state).not.toBe('open');

    const secondHub = await h.restart();
    expect(secondHub.address.port).toBe(firstHub.address.port);
    await until(() => outbox.pending().length === 0, 15_000, 'the outbox to drain into the restarted hub');

    expect(pendingAtOutage).toBeGreaterThan(0);
    expect(storedByFirstHub).toBeGreaterThanOrEqual(100);
    expect(storedByFirstHub).toBeLessThan(300);
    await expectStoredExactlyOnce(h, recorded);
  });

  it('delivers everything recorded while the hub was down from the start once it appears', async () => {
    const port = await freePort();
    const { outbox, uplink } = await agentOn(`ws://127.0.0.1:${port}${AGENT_PATH}`);
    const recorded = await recordReports(outbox, 50);
    await until(() => uplink.status().reconnects >= 2, 10_000, 'retries while no hub listens');
    expect(outbox.pending()).toHaveLength(50);

    const h = await hubOn(port);
    await until(() => outbox.pending().length === 0, 15_000, 'the outbox to drain into the hub');
    expect(uplink.status()).toMatchObject({ state: 'open', lastAckedSeq: 50 });
    await expectStoredExactlyOnce(h, recorded);
  });
});
