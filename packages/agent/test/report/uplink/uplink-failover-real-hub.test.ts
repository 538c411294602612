import { afterEach, describe, expect, it } from 'vitest';
import type { Report } from 'posdiag-protocol';
import { FakeClock } from '../../../../../test/support/fake-clock.js';
import { startTestHub } from '../../../../../test/support/hub-harness.js';
import { recordingLogger } from '../../../../../test/support/recording-logger.js';
import { makeHeartbeat } from '../../../../../test/support/reports.js';
import { waitFor } from '../../../../../test/support/wait-for.js';
import { Uplink } from '../../../src/report/uplink.js';
import { fetchStoredReports, freePort } from '../../helpers/delivery-hub.js';
import { MemoryOutbox } from '../../helpers/memory-outbox.js';

/**
 * Failover between two real hubs (the posdiag-hub package), each with its own SQLite database. A hub
 * stores each report id once in its own database only: a report stored by one hub whose ack was lost
 * would be stored again by the other. So every report is acked before its hub goes down, and the
 * test counts exactly once across both hubs for those acked reports; what happens to a report in
 * flight at the switch is the FakeHub tests' (uplink.test.ts), where nothing is stored.
 */

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function hubHarness(extra?: Parameters<typeof startTestHub>[0]) {
  const h = await startTestHub(extra);
  cleanups.push(() => h.cleanup());
  return h;
}

describe('Uplink failover between two real hubs', () => {
  it('moves to the second hub when the first goes down and back to the first when the second does: every report stored once across both', async () => {
    // The first hub comes back on the same port (and database), so the agent's list still names it.
    const first = await hubHarness({ port: await freePort() });
    const second = await hubHarness();
    const outbox = new MemoryOutbox();
    const clock = new FakeClock();
    const uplink = new Uplink({
      url: [first.hub.url, second.hub.url],
      token: 'token-one',
      terminal: 'T-0001',
      outbox,
      clock,
      log: recordingLogger(),
      agentVersion: '0.1.0-test',
      backoff: { initialMs: 100, maxMs: 1_000 },
      random: () => 0.5,
    });
    cleanups.push(() => uplink.stop());
    const recorded: Report[] = [];
    const record = async (n: number) => {
      for (let i = 0; i < n; i++) recorded.push(await outbox.record(makeHeartbeat()));
    };
    const untilDisconnected = () => waitFor(() => (uplink.status().state === 'closed' ? true : undefined), 'the uplink to see its hub gone');

    await record(3);
    uplink.start();
    await outbox.whenAcked(3);
    expect(uplink.delivery().url).toBe(first.hub.url);

    await first.hub.close();
    await untilDisconnected();
    // Recorded while no hub is reachable: pending, sent after the next welcome.
    await record(3);
    await clock.advance(1_000);
    await outbox.whenAcked(6);
    expect(uplink.delivery()).toMatchObject({ connected: true, url: second.hub.url, pending: 0 });
    const atSecond = await fetchStoredReports(second.api);

    await first.restart();
    await second.hub.close();
    await untilDisconnected();
    await record(3);
    await clock.advance(1_000);
    await outbox.whenAcked(9);
    expect(uplink.delivery()).toMatchObject({ connected: true, url: first.hub.url, pending: 0 });
    const atFirst = await fetchStoredReports(first.api);

    expect(atFirst.map((r) => r.seq)).toEqual([1, 2, 3, 7, 8, 9]);
    expect(atSecond.map((r) => r.seq)).toEqual([4, 5, 6]);
    const ids = [...atFirst, ...atSecond].map((r) => r.id).sort();
    expect(ids).toEqual(recorded.map((r) => r.id).sort());
    expect(outbox.pending()).toEqual([]);
  });
});
