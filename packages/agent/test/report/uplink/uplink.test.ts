import { EventEmitter, once } from 'node:events';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../../../test/support/fake-clock.js';
import { Uplink, type HubCommand, type UplinkOptions, type UplinkState, type UplinkStateDetail } from '../../../src/report/uplink.js';
import { MemoryOutbox } from '../../helpers/memory-outbox.js';
import { makeFaultReport, makeHeartbeat } from '../../../../../test/support/reports.js';
import { recordingLogger } from '../../../../../test/support/recording-logger.js';
import { FakeHub } from '../../helpers/uplink-hub.js';
import { waitFor } from '../../../../../test/support/wait-for.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startHub(options?: Parameters<typeof FakeHub.start>[0]): Promise<FakeHub> {
  const hub = await FakeHub.start(options);
  cleanups.push(() => hub.close());
  return hub;
}

/** An uplink on a FakeClock with a recording logger; `untilState` waits for the n-th entry into a state. */
function makeUplink(hub: FakeHub, overrides: Partial<UplinkOptions> = {}) {
  const clock = new FakeClock();
  const outbox = new MemoryOutbox();
  const log = recordingLogger();
  const uplink = new Uplink({
    url: hub.url,
    token: hub.token,
    terminal: 'T-0001',
    outbox,
    clock,
    log,
    agentVersion: '0.1.0-test',
    backoff: { initialMs: 100, maxMs: 1_000 },
    pingIntervalMs: 1_000,
    pongTimeoutMs: 500,
    random: () => 0.5,
    ...overrides,
  });
  cleanups.push(() => uplink.stop());
  const states: Array<{ state: UplinkState; detail?: UplinkStateDetail }> = [];
  const events = new EventEmitter();
  uplink.onState((state, detail) => {
    states.push({ state, detail });
    events.emit('state');
  });
  let welcomes = 0;
  uplink.onWelcome(() => {
    welcomes++;
    events.emit('state');
  });
  const until = (check: () => boolean) =>
    new Promise<void>((resolve) => {
      if (check()) return resolve();
      const onEvent = () => {
        if (!check()) return;
        events.off('state', onEvent);
        resolve();
      };
      events.on('state', onEvent);
    });
  /** Resolves with the detail of the n-th time the uplink entered `state`. */
  const untilState = async (state: UplinkState, n = 1) => {
    await until(() => states.filter((s) => s.state === state).length >= n);
    return states.filter((s) => s.state === state)[n - 1]!.detail;
  };
  const untilWelcomed = (n = 1) => until(() => welcomes >= n);
  const record = async (n: number) => {
    for (let i = 0; i < n; i++) await outbox.record(makeHeartbeat());
  };
  const logged = (level: string) => log.entries.filter((e) => e.level === level).map((e) => e.msg);
  return { uplink, clock, outbox, log, logged, states, untilState, untilWelcomed, record };
}

describe('Uplink delivery', () => {
  it('says hello, delivers the outbox in seq order and removes each report once acked', async () => {
    const hub = await startHub();
    const { uplink, outbox, record } = makeUplink(hub);
    await record(5);
    uplink.start();
    await outbox.whenAcked(5);
    expect(hub.hellos).toEqual([{ type: 'hello', terminal: 'T-0001', agentVersion: '0.1.0-test', lastSeq: 5 }]);
    expect(hub.received.map((r) => r.report.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(outbox.pending()).toEqual([]);
    expect(uplink.status()).toEqual({ state: 'open', inFlight: 0, lastAckedSeq: 5, reconnects: 0, refused: 0 });
  });

  it("says the terminal's inventory in hello when it has one", async () => {
    const hub = await startHub();
    const inventory = { model: 'PAX A920', serial: 'SN-0042' };
    const { uplink, untilWelcomed } = makeUplink(hub, { inventory });
    uplink.start();
    await untilWelcomed();
    await hub.until(() => hub.hellos.length === 1);
    expect(hub.hellos).toEqual([{ type: 'hello', terminal: 'T-0001', agentVersion: '0.1.0-test', lastSeq: 0, inventory }]);
  });

  it('keeps the link and delivers when a hub older than the inventory refuses the hello', async () => {
    const hub = await startHub();
    const { uplink, outbox, record, logged } = makeUplink(hub, { inventory: { model: 'PAX A920' } });
    await record(2);
    uplink.start();
    await hub.until(() => hub.hellos.length === 1);
    // What such a hub answers: its strict hello schema does not know the field; the connection stays.
    hub.send({ type: 'error', reason: 'invalid message: (root): Unrecognized key: "inventory"', ref: null, retryable: false });
    await outbox.whenAcked(2);
    expect(hub.connections).toBe(1);
    expect(logged('warn')).toContain('hub reported an error');
  });

  it('sends a newly recorded report at once, without polling, and reports the hub time', async () => {
    const hub = await startHub();
    const { uplink, outbox, clock } = makeUplink(hub);
    const serverTime = new Promise<string>((resolve) => uplink.onWelcome(resolve));
    uplink.start();
    expect(await serverTime).toBe('2026-01-01T00:00:05.000Z');
    const report = await outbox.record(makeFaultReport());
    await outbox.whenAcked(1);
    expect(hub.received.map((r) => r.report.id)).toEqual([report.id]);
    expect(clock.now()).toBe(Date.UTC(2026, 0, 1)); // the clock never moved: nothing polled
  });

  it('never has more than `window` reports unacked', async () => {
    const hub = await startHub();
    hub.autoAck = false;
    const { uplink, outbox, record } = makeUplink(hub, { window: 4 });
    await record(20);
    uplink.start();
    while (hub.received.length < 20) {
      await hub.until(() => hub.unacked.length === 4);
      expect(uplink.status().inFlight).toBeLessThanOrEqual(4);
      hub.ackAll();
    }
    await outbox.whenAcked(20);
    expect(hub.maxOutstanding).toBe(4);
    expect(hub.received.map((r) => r.report.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(uplink.status().inFlight).toBe(0);
  });

  it('after the hub closes mid-stream, reconnects and resends everything unacked in seq order', async () => {
    const hub = await startHub();
    hub.onReport = (report, connection) => (connection === 1 && report.seq > 10 ? 'hold' : 'ack');
    const { uplink, outbox, clock, untilState, record } = makeUplink(hub);
    await record(30);
    uplink.start();
    await hub.until(() => hub.received.length === 30);
    hub.current!.close(1001, 'hub restarting');
    const closed = await untilState('closed');
    expect(closed).toMatchObject({ code: 1001, reason: 'hub restarting', retryInMs: 50 });
    await clock.advance(closed!.retryInMs!);
    await outbox.whenAcked(30);
    const second = hub.received.filter((r) => r.connection === 2).map((r) => r.report.seq);
    expect(second).toEqual(Array.from({ length: 20 }, (_, i) => i + 11));
    expect(hub.storedSeqs()).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(outbox.pending()).toEqual([]);
    expect(uplink.status().reconnects).toBe(1);
  });

  it('loses nothing when the connection is cut abruptly', async () => {
    const hub = await startHub();
    const { uplink, outbox, clock, untilState, record } = makeUplink(hub, { window: 8 });
    hub.onReport = (report, connection) => {
      if (connection === 1 && report.seq === 12) hub.current!.terminate();
      return 'ack';
    };
    await record(40);
    uplink.start();
    const closed = await untilState('closed');
    await clock.advance(closed!.retryInMs!);
    await outbox.whenAcked(40);
    expect(hub.storedSeqs()).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    const second = hub.received.filter((r) => r.connection === 2).map((r) => r.report.seq);
    expect(second.at(-1)).toBe(40);
    expect(second).toEqual([...second].sort((a, b) => a - b));
  });

  it('keeps a report a hub that does not say whether to retry rejects, frees its slot, and retries it on the next connection only', async () => {
    const hub = await startHub();
    hub.onReport = (report, connection) => (connection === 1 && report.seq === 2 ? 'reject' : 'ack');
    const { uplink, outbox, clock, logged, untilState, record } = makeUplink(hub, { window: 1 });
    await record(3);
    uplink.start();
    await outbox.whenAcked(2);
    // With a window of 1, seq 3 could only go out once the rejection freed the slot.
    expect(outbox.pending().map((r) => r.seq)).toEqual([2]);
    expect(logged('error')).toContain('hub rejected a report; kept for retry on next connection');
    hub.current!.close();
    const closed = await untilState('closed');
    await clock.advance(closed!.retryInMs!);
    await outbox.whenAcked(3);
    expect(hub.received.map((r) => [r.connection, r.report.seq])).toEqual([
      [1, 1],
      [1, 2],
      [1, 3],
      [2, 2],
    ]);
  });

  it('sends a report the hub could not store now again on the same connection, after a capped backoff, sending nothing new meanwhile', async () => {
    const hub = await startHub();
    let busyAnswers = 3;
    hub.onReport = (report) => (report.seq === 2 && busyAnswers-- > 0 ? 'busy' : 'ack');
    const { uplink, outbox, clock, log, record } = makeUplink(hub, { window: 4, resendBackoff: { initialMs: 100, maxMs: 250 } });
    const pauses = () => log.entries.filter((e) => e.msg === 'hub could not store a report now; sending it again on this connection');
    await record(4);
    uplink.start();
    await outbox.whenAcked(3);
    await waitFor(() => (pauses().length === 1 ? true : undefined), 'the first pause');
    // Paused: a report recorded now is queued, not sent.
    await record(1);
    expect(uplink.status().inFlight).toBe(0);
    for (const [round, delay] of [[2, 100], [3, 200]] as const) {
      await clock.advance(delay);
      await waitFor(() => (pauses().length === round ? true : undefined), `pause ${round}`);
    }
    await clock.advance(250);
    await outbox.whenAcked(5);
    expect(pauses().map((e) => e.fields.resendInMs)).toEqual([100, 200, 250]);
    // Seq 5, recorded during the first pause, went out only when it ended, behind seq 2.
    expect(hub.received.map((r) => r.report.seq)).toEqual([1, 2, 3, 4, 2, 5, 2, 2]);
    expect(hub.connections).toBe(1);
    expect(uplink.status()).toMatchObject({ reconnects: 0, refused: 0, inFlight: 0 });
  });

  it('drops a report the hub refuses for good: counted, logged once, never sent again', async () => {
    const hub = await startHub();
    hub.onReport = (report) => (report.seq === 2 ? 'refuse' : 'ack');
    const { uplink, outbox, clock, log, logged, untilState, record } = makeUplink(hub, { window: 1 });
    await record(3);
    uplink.start();
    await outbox.whenAcked(3);
    expect(outbox.pending()).toEqual([]);
    expect(uplink.status().refused).toBe(1);
    expect(log.entries.filter((e) => e.msg === 'hub refused a report for good; dropped from the outbox')).toEqual([
      expect.objectContaining({ level: 'error', fields: expect.objectContaining({ code: 'agent.report_refused', seq: 2, reason: 'invalid report' }) }),
    ]);
    expect(logged('error')).not.toContain('hub rejected a report; kept for retry on next connection');
    hub.current!.close();
    await clock.advance((await untilState('closed'))!.retryInMs!);
    await record(1);
    await outbox.whenAcked(4);
    expect(hub.received.map((r) => [r.connection, r.report.seq])).toEqual([
      [1, 1],
      [1, 2],
      [1, 3],
      [2, 4],
    ]);
  });

  it('holds sends while the socket buffer is over the threshold and resumes on a later tick', async () => {
    const hub = await startHub();
    let buffered = 2 * 1024 * 1024;
    const { uplink, outbox, clock, untilWelcomed, record } = makeUplink(hub, {
      createSocket: (url, options) => {
        const socket = new WebSocket(url, options);
        Object.defineProperty(socket, 'bufferedAmount', { get: () => buffered });
        return socket;
      },
    });
    await record(3);
    uplink.start();
    await untilWelcomed();
    expect(uplink.status().inFlight).toBe(0);
    buffered = 0;
    await clock.advance(1_000); // the ping tick
    await outbox.whenAcked(3);
    expect(hub.received.map((r) => r.report.seq)).toEqual([1, 2, 3]);
  });

  it('does not send a report larger than a frame, keeps it, and sends the rest', async () => {
    const hub = await startHub();
    const { uplink, outbox, logged } = makeUplink(hub);
    const evidence = Object.fromEntries(Array.from({ length: 1_500 }, (_, i) => [`k${i}`, 'x'.repeat(200)]));
    const big = await outbox.record(makeFaultReport({ evidence }));
    await outbox.record(makeHeartbeat());
    uplink.start();
    await outbox.whenAcked(1);
    expect(hub.received.map((r) => r.report.seq)).toEqual([2]);
    expect(outbox.pending().map((r) => r.id)).toEqual([big.id]);
    expect(logged('error')).toContain('report too large to send; kept in outbox');
  });

  it('stop() closes the link, keeps unacked reports and schedules no reconnect', async () => {
    const hub = await startHub();
    hub.autoAck = false;
    const { uplink, outbox, clock, record } = makeUplink(hub);
    await record(2);
    uplink.start();
    await hub.until(() => hub.received.length === 2);
    await uplink.stop();
    expect(uplink.status().state).toBe('closed');
    expect(clock.pendingTimers).toBe(0);
    expect(outbox.pending().map((r) => r.seq)).toEqual([1, 2]);
    await hub.until(() => hub.current!.readyState === WebSocket.CLOSED);
  });
});

describe('Uplink link health', () => {
  it('terminates and reconnects when no pong comes back in time', async () => {
    const hub = await startHub({ autoPong: false });
    const { uplink, clock, logged, untilState, untilWelcomed } = makeUplink(hub);
    uplink.start();
    await untilWelcomed();
    await clock.advance(1_000);
    await hub.until(() => hub.pings === 1);
    expect(uplink.status().state).toBe('open');
    await clock.advance(500);
    const closed = await untilState('closed');
    expect(logged('warn')).toContain('no pong from hub: link presumed dead');
    await clock.advance(closed!.retryInMs!);
    await untilWelcomed(2);
    expect(hub.connections).toBe(2);
    expect(uplink.status().reconnects).toBe(1);
  });

  it('keeps a link that answers pings', async () => {
    const hub = await startHub();
    const sockets: WebSocket[] = [];
    const { uplink, clock, states, untilWelcomed } = makeUplink(hub, {
      createSocket: (url, options) => {
        sockets.push(new WebSocket(url, options));
        return sockets.at(-1)!;
      },
    });
    uplink.start();
    await untilWelcomed();
    const pong = once(sockets[0]!, 'pong');
    await clock.advance(1_000);
    await pong;
    await clock.advance(999); // past the pong deadline, just short of the next ping
    expect(states.map((s) => s.state)).toEqual(['connecting', 'open']);
    await clock.advance(1);
    await hub.until(() => hub.pings === 2);
  });

  it('backs off with capped full jitter, and starts over after a welcomed connection', async () => {
    const hub = await startHub();
    const { uplink, clock, states, untilState, untilWelcomed } = makeUplink(hub);
    const attempts = () => states.filter((s) => s.state === 'connecting').length;
    uplink.start();
    await untilWelcomed();
    hub.current!.close();
    // welcomed connection → attempt 0 again each time
    for (let n = 1; n <= 2; n++) {
      const closed = await untilState('closed', n);
      expect(closed!.retryInMs).toBe(50);
      await clock.advance(49);
      expect(attempts()).toBe(n);
      await clock.advance(1);
      expect(attempts()).toBe(n + 1);
      await untilWelcomed(n + 1);
      if (n === 1) hub.current!.close();
    }
  });
});

describe('Uplink refusals and bad input', () => {
  it('on 401 logs "authentication refused", stays up and retries with growing, capped delays', async () => {
    const hub = await startHub({ token: 'the-right-one' });
    const { uplink, clock, logged, untilState } = makeUplink(hub, { token: 'wrong' });
    uplink.start();
    const delays: number[] = [];
    for (let n = 1; n <= 6; n++) {
      const closed = await untilState('closed', n);
      expect(closed).toMatchObject({ statusCode: 401 });
      delays.push(closed!.retryInMs!);
      await clock.advance(closed!.retryInMs!);
    }
    expect(delays).toEqual([50, 100, 200, 400, 500, 500]);
    await hub.until(() => hub.refused === 7);
    expect(hub.connections).toBe(0);
    expect(logged('error').filter((m) => m === 'authentication refused by hub').length).toBeGreaterThanOrEqual(6);
    expect(logged('warn')).not.toContain('hub connection error');
  });

  it('ignores invalid hub frames and unlisted commands, keeps the link, and passes valid commands on', async () => {
    const hub = await startHub();
    const { uplink, logged, untilWelcomed } = makeUplink(hub);
    const commands: HubCommand[] = [];
    const commanded = new Promise<void>((resolve) =>
      uplink.onCommand((cmd) => {
        commands.push(cmd);
        resolve();
      }),
    );
    uplink.start();
    await untilWelcomed();
    hub.send('{not json');
    hub.send({ type: 'bogus' });
    hub.send({ type: 'command', id: 'c1', name: 'reboot', args: {} });
    hub.send({ type: 'ack', id: 'not-a-uuid', seq: 1, duplicate: false });
    hub.send({ type: 'command', id: 'c2', name: 'self_test', args: { level: 'quick' } });
    await commanded;
    expect(commands).toEqual([{ type: 'command', id: 'c2', name: 'self_test', args: { level: 'quick' } }]);
    expect(logged('warn').filter((m) => m === 'ignored invalid hub message')).toHaveLength(4);
    expect(uplink.sendCommandResult('c2', true, 'queued')).toBe(true);
    // Free text from a device error is scrubbed like a log line.
    expect(uplink.sendCommandResult('c3', false, 'reader said 5555555555554444')).toBe(true);
    await hub.until(() => hub.commandResults.length === 2);
    expect(hub.commandResults).toEqual([
      { type: 'command_result', commandId: 'c2', ok: true, detail: 'queued' },
      { type: 'command_result', commandId: 'c3', ok: false, detail: 'reader said 555555******4444' },
    ]);
    expect(hub.connections).toBe(1);
    expect(uplink.status().state).toBe('open');
  });

  it('survives a listener that throws', async () => {
    const hub = await startHub();
    const { uplink, logged, outbox, untilWelcomed, record } = makeUplink(hub);
    uplink.onWelcome(() => {
      throw new Error('listener bug');
    });
    await record(1);
    uplink.start();
    await untilWelcomed();
    await outbox.whenAcked(1);
    expect(logged('error')).toContain('uplink listener threw');
  });
});

describe('Uplink failover across hubs', () => {
  /** A hub that is down: nothing listens on its port any more, so a connection is refused at once. */
  async function downHubUrl(): Promise<string> {
    const gone = await FakeHub.start();
    await gone.close();
    return gone.url;
  }

  it('moves on to the next hub at once when the first is down: one failed attempt, no backoff', async () => {
    const down = await downHubUrl();
    const hub = await startHub();
    const { uplink, clock, outbox, states, untilState, untilWelcomed, record } = makeUplink(hub, { url: [down, hub.url] });
    await record(3);
    uplink.start();
    expect(uplink.delivery().url).toBe(down);
    expect(await untilState('closed')).toMatchObject({ retryInMs: 0 });
    expect(uplink.delivery().url).toBe(hub.url);
    await clock.advance(0);
    await untilWelcomed();
    await outbox.whenAcked(3);
    expect(clock.now()).toBe(Date.UTC(2026, 0, 1));
    expect(states.map((s) => s.state)).toEqual(['connecting', 'closed', 'connecting', 'open']);
    expect(hub.received.map((r) => r.report.seq)).toEqual([1, 2, 3]);
    expect(uplink.delivery()).toMatchObject({ connected: true, url: hub.url, pending: 0 });
  });

  it('backs off once per round over the list, not per hub, trying the hubs in turn', async () => {
    const first = await startHub({ token: 'not-ours' });
    const second = await startHub({ token: 'not-ours-either' });
    const tried: string[] = [];
    const { uplink, clock, untilState } = makeUplink(first, {
      url: [first.url, second.url],
      token: 'ours',
      createSocket: (url, options) => {
        tried.push(url);
        return new WebSocket(url, options);
      },
    });
    uplink.start();
    const delays: number[] = [];
    for (let n = 1; n <= 6; n++) {
      const closed = await untilState('closed', n);
      delays.push(closed!.retryInMs!);
      await clock.advance(closed!.retryInMs!);
    }
    await first.until(() => first.refused === 4);
    // Backoff 100 ms doubling to 1 s, jitter 0.5: each round's two hubs back to back, then 50, 100, 200 ms.
    expect(delays).toEqual([0, 50, 0, 100, 0, 200]);
    // A zero delay passes within the same advance, so the round after the last one may have begun too.
    expect(tried.slice(0, 7)).toEqual([first.url, second.url, first.url, second.url, first.url, second.url, first.url]);
  });

  it('stays on a later hub while its link lasts, and when it drops goes on round the list, resending what is unacked', async () => {
    const first = await startHub({ token: 'not-ours' });
    const second = await startHub();
    second.onReport = (report, connection) => (connection === 1 && report.seq > 2 ? 'hold' : 'ack');
    const { uplink, clock, outbox, untilState, untilWelcomed, record } = makeUplink(second, { url: [first.url, second.url], pingIntervalMs: 3_600_000 });
    await record(4);
    uplink.start();
    await untilState('closed');
    await clock.advance(0);
    await untilWelcomed();
    await second.until(() => second.received.length === 4);
    // Nothing brings it back to the first hub while the second answers: the ping is its only timer.
    await clock.advance(600_000);
    expect(clock.pendingTimers).toBe(1);
    expect(first.refused).toBe(1);
    expect(uplink.delivery()).toMatchObject({ connected: true, url: second.url, pending: 2 });

    second.current!.terminate();
    const dropped = await untilState('closed', 2);
    // A dropped link waits for the round's delay (spreading a fleet), then tries the next hub: the first.
    expect(dropped!.retryInMs).toBe(50);
    expect(uplink.delivery().url).toBe(first.url);
    await clock.advance(50);
    expect(await untilState('closed', 3)).toMatchObject({ statusCode: 401, retryInMs: 0 });
    await clock.advance(0);
    await outbox.whenAcked(4);
    expect(first.refused).toBe(2);
    expect(second.received.map((r) => [r.connection, r.report.seq])).toEqual([
      [1, 1],
      [1, 2],
      [1, 3],
      [1, 4],
      [2, 3],
      [2, 4],
    ]);
  });
});
