import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../../../test/support/fake-clock.js';
import { Uplink, type UplinkOptions, type UplinkStateDetail } from '../../../src/report/uplink.js';
import { startTestHub } from '../../../../../test/support/hub-harness.js';
import { MemoryOutbox } from '../../helpers/memory-outbox.js';
import { recordingLogger } from '../../../../../test/support/recording-logger.js';
import { makeFaultReport, makeHeartbeat } from '../../../../../test/support/reports.js';
import { makeTestPki } from '../../helpers/test-pki.js';
import { waitFor } from '../../../../../test/support/wait-for.js';

/** The uplink against the real hub (the posdiag-hub package): handshake, welcome/hello and acks as the hub speaks them. */

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function hubHarness(extra?: Parameters<typeof startTestHub>[0]) {
  const h = await startTestHub(extra);
  cleanups.push(() => h.cleanup());
  return h;
}

function uplinkTo(url: string, options: Partial<UplinkOptions>) {
  const outbox = new MemoryOutbox();
  const log = recordingLogger();
  const clock = new FakeClock();
  const uplink = new Uplink({ url, terminal: 'T-0001', outbox, clock, log, agentVersion: '0.1.0-test', ...options });
  cleanups.push(() => uplink.stop());
  return { uplink, outbox, log, clock };
}

describe('Uplink with the real hub', () => {
  it('delivers reports with a bearer token; the hub stores each once, in seq order', async () => {
    const h = await hubHarness();
    const { uplink, outbox } = uplinkTo(h.hub.url, { token: 'token-one', window: 4 });
    for (let i = 0; i < 10; i++) await outbox.record(i % 2 ? makeFaultReport() : makeHeartbeat());
    uplink.start();
    await outbox.whenAcked(10);
    expect(h.stored.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(outbox.pending()).toEqual([]);
    expect(uplink.status()).toMatchObject({ state: 'open', lastAckedSeq: 10, inFlight: 0 });
  });

  it('sends a report again on the same connection once the hub can store it (database locked by another connection meanwhile): it arrives exactly once', async () => {
    const h = await hubHarness();
    const { uplink, outbox, log, clock } = uplinkTo(h.hub.url, { token: 'token-one', resendBackoff: { initialMs: 1_000, maxMs: 1_000 } });
    const locker = new Database(h.db);
    locker.exec('BEGIN EXCLUSIVE');
    let locked = true;
    cleanups.push(() => {
      if (locked) locker.exec('ROLLBACK');
      locker.close();
    });
    const report = await outbox.record(makeFaultReport());
    uplink.start();
    const pauses = () => log.entries.filter((e) => e.msg === 'hub could not store a report now; sending it again on this connection');
    await waitFor(() => (pauses().length > 0 ? true : undefined), 'the hub to refuse the report as retryable');
    expect(pauses()[0]!.fields).toMatchObject({ id: report.id, reason: expect.stringMatching(/database is locked/) });
    expect(h.stored).toEqual([]);

    locker.exec('ROLLBACK');
    locked = false;
    await clock.advance(1_000);
    await outbox.whenAcked(1);
    expect(h.stored.map((r) => r.id)).toEqual([report.id]);
    expect((await (await fetch(`${h.api}/reports`)).json()).map((r: { id: string }) => r.id)).toEqual([report.id]);
    expect(uplink.status()).toMatchObject({ reconnects: 0, refused: 0 });
    expect(h.log.entries.filter((e) => e.msg === 'agent connected')).toHaveLength(1);
  });

  it('treats the hub refusing a wrong token as a 401 and schedules a retry', async () => {
    const h = await hubHarness();
    const { uplink, log } = uplinkTo(h.hub.url, { token: 'token-two' });
    const closed = new Promise<UplinkStateDetail | undefined>((resolve) =>
      uplink.onState((state, detail) => state === 'closed' && resolve(detail)),
    );
    uplink.start();
    expect(await closed).toMatchObject({ statusCode: 401, retryInMs: expect.any(Number) });
    expect(log.entries.some((e) => e.level === 'error' && e.msg === 'authentication refused by hub')).toBe(true);
  });

  it('authenticates with a client certificate over wss, verifying the hub against the given CA', async () => {
    const pki = makeTestPki();
    cleanups.push(() => pki.cleanup());
    const ca = pki.ca('ca');
    const server = pki.cert('server', '127.0.0.1', 'ca', 'subjectAltName=IP:127.0.0.1');
    const client = pki.cert('t1', 'T-0001', 'ca');
    const h = await hubHarness({ tls: { ...server, ca, requestCert: true } });
    const { uplink, outbox } = uplinkTo(h.hub.url, { ca, ...client });
    await outbox.record(makeHeartbeat());
    uplink.start();
    await outbox.whenAcked(1);
    expect(h.hub.url.startsWith('wss://')).toBe(true);
    expect(h.stored.map((r) => r.terminal)).toEqual(['T-0001']);
  }, 30_000);
});
