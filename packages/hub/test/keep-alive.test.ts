import { EventEmitter } from 'node:events';
import type WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../test/support/fake-clock.js';
import { DEFAULT_PING_INTERVAL_MS, KeepAliveSweep } from '../src/keep-alive.js';
import { TestAgent } from './helpers/hub-agent.js';
import { startTestHub } from '../../../test/support/hub-harness.js';
import { makeHeartbeat } from '../../../test/support/reports.js';

/** Resolves on the next ping the client receives. */
const nextPing = (agent: TestAgent) => new Promise<void>((resolve) => agent.ws.once('ping', () => resolve()));

describe('hub keep-alive over real sockets', () => {
  it('terminates an agent that stops answering pings, so a command to it gets 409; answering agents stay', async () => {
    const h = await startTestHub({ pingIntervalMs: 1000 });
    const live = await TestAgent.connect(h.hub.url, 'T-0001', 'token-one');
    // A half-open peer as the hub sees it: the socket stays open but nothing answers pings.
    const silent = await TestAgent.connect(h.hub.url, 'T-0002', 'token-two', { autoPong: false });
    try {
      await Promise.all([live.next(), silent.next()]);
      const command = (terminal: string) =>
        fetch(`${h.api}/terminals/${terminal}/commands`, { method: 'POST', body: '{"name":"ping"}' }).then((r) => r.status);

      let pings = [nextPing(live), nextPing(silent)];
      await h.clock.advance(1000);
      await Promise.all(pings);
      // The live agent's auto-pong precedes this report on its stream: the ack proves the hub has the pong.
      expect(await live.report(makeHeartbeat({ seq: 1 }))).toMatchObject({ type: 'ack' });
      await h.clock.advance(999);
      expect(h.hub.connectedTerminals()).toEqual(['T-0001', 'T-0002']);

      pings = [nextPing(live)];
      await h.clock.advance(1);
      await Promise.all(pings);
      expect(h.hub.connectedTerminals()).toEqual(['T-0001']);
      expect(await command('T-0002')).toBe(409);
      expect((await silent.closed).code).toBe(1006);
      const dead = h.log.entries.filter((e) => e.msg?.startsWith('agent did not answer ping'));
      expect(dead.map((e) => [e.level, e.fields.terminal])).toEqual([['warn', 'T-0002']]);

      // The answering agent survives further rounds and still gets commands.
      for (const seq of [2, 3]) {
        pings = [nextPing(live)];
        await h.clock.advance(1000);
        await Promise.all(pings);
        expect(await live.report(makeHeartbeat({ seq }))).toMatchObject({ type: 'ack' });
      }
      expect(await command('T-0001')).toBe(202);
      expect(await live.next()).toMatchObject({ type: 'command', name: 'ping' });
      expect(h.hub.connectedTerminals()).toEqual(['T-0001']);
    } finally {
      await Promise.all([live.close(), silent.close()]);
      await h.cleanup();
    }
  });

  it('pings every 30 s by default', async () => {
    expect(DEFAULT_PING_INTERVAL_MS).toBe(30_000);
    const h = await startTestHub();
    const agent = await TestAgent.connect(h.hub.url, 'T-0001', 'token-one');
    try {
      await agent.next();
      let pinged = false;
      agent.ws.once('ping', () => (pinged = true));
      await h.clock.advance(29_999);
      // A pong round trip: had a ping been sent, it would have arrived before this ack.
      await agent.report(makeHeartbeat({ seq: 1 }));
      expect(pinged).toBe(false);
      const ping = nextPing(agent);
      await h.clock.advance(1);
      await ping;
    } finally {
      await agent.close();
      await h.cleanup();
    }
  });
});

/** Just enough of a ws socket for KeepAliveSweep: records pings, emits pong and close on demand. */
class FakeSocket extends EventEmitter {
  pings = 0;
  ping(): void {
    this.pings++;
  }
}

describe('KeepAliveSweep', () => {
  const setup = () => {
    const clock = new FakeClock();
    const ws = new FakeSocket();
    let dead = 0;
    new KeepAliveSweep(clock, 100, () => dead++).watch(ws as unknown as WebSocket, 'T-0001');
    return { clock, ws, deaths: () => dead };
  };

  it('pings each interval while pongs arrive, and declares the connection dead once at the first unanswered ping', async () => {
    const { clock, ws, deaths } = setup();
    for (let round = 1; round <= 3; round++) {
      await clock.advance(100);
      expect(ws.pings).toBe(round);
      ws.emit('pong');
    }
    await clock.advance(100);
    expect([ws.pings, deaths()]).toEqual([4, 0]);
    await clock.advance(100);
    expect([ws.pings, deaths()]).toEqual([4, 1]);
    await clock.advance(1000);
    expect([ws.pings, deaths(), clock.pendingTimers]).toEqual([4, 1, 0]);
  });

  it('stops when the socket closes', async () => {
    const { clock, ws, deaths } = setup();
    await clock.advance(100);
    ws.emit('close');
    expect(clock.pendingTimers).toBe(0);
    await clock.advance(1000);
    expect([ws.pings, deaths()]).toEqual([1, 0]);
  });
});

describe('KeepAliveSweep over many sockets', () => {
  it('serves every socket from one timer: one watched between sweeps is pinged at the next and dead at the one after', async () => {
    const clock = new FakeClock();
    const dead: string[] = [];
    const sweep = new KeepAliveSweep(clock, 100, (_ws, terminal) => dead.push(terminal));
    const [first, late, quiet] = [new FakeSocket(), new FakeSocket(), new FakeSocket()];
    sweep.watch(first as unknown as WebSocket, 'T-0001');
    sweep.watch(quiet as unknown as WebSocket, 'T-0003');
    await clock.advance(60);
    sweep.watch(late as unknown as WebSocket, 'T-0002');
    expect(clock.pendingTimers).toBe(1);

    await clock.advance(40);
    expect([first.pings, late.pings, quiet.pings]).toEqual([1, 1, 1]);
    first.emit('pong');
    await clock.advance(100);
    // quiet and late did not answer the sweep at 100: both are dead at 200, first is pinged again.
    expect(dead).toEqual(['T-0003', 'T-0002']);
    expect([first.pings, late.pings, quiet.pings, clock.pendingTimers]).toEqual([2, 1, 1, 1]);
  });

  it('stop forgets every socket and the timer', async () => {
    const clock = new FakeClock();
    const sweep = new KeepAliveSweep(clock, 100, () => expect.fail('no socket is watched any more'));
    const ws = new FakeSocket();
    sweep.watch(ws as unknown as WebSocket, 'T-0001');
    sweep.stop();
    expect([clock.pendingTimers, ws.listenerCount('pong'), ws.listenerCount('close')]).toEqual([0, 0, 0]);
    await clock.advance(1000);
    expect(ws.pings).toBe(0);
  });
});
