import { describe, expect, it } from 'vitest';
import { sleep } from '../../src/core/clock.js';
import { FakeClock } from '../../../../test/support/fake-clock.js';
import type { Observation } from '../../src/core/readings.js';
import type { Driver } from '../../src/drivers/contract.js';
import type { Logger } from '../../src/log/logger.js';
import { PollAbortError, Scheduler, type PollResult } from '../../src/drivers/scheduler.js';

type Entry = { level: string; obj: Record<string, unknown>; msg?: string };

function recordingLogger(entries: Entry[] = []): Logger & { entries: Entry[] } {
  const at = (level: string) => (obj: object, msg?: string) => void entries.push({ level, obj: obj as Record<string, unknown>, msg });
  const log = { entries, trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => log };
  return log;
}

/** A driver whose poll behaviour is a function of the call number; records call times and signals. */
class ScriptedDriver implements Driver {
  readonly kind = 'system' as const;
  calls: number[] = [];
  signals: AbortSignal[] = [];
  active = 0;
  maxActive = 0;
  closed = false;
  constructor(
    readonly name: string,
    readonly intervalMs: number,
    readonly timeoutMs: number,
    private readonly behave: (call: number, signal: AbortSignal) => Promise<Observation>,
    private readonly clock: FakeClock,
  ) {}
  async poll(signal: AbortSignal): Promise<Observation> {
    this.calls.push(this.clock.now());
    this.signals.push(signal);
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      return await this.behave(this.calls.length, signal);
    } finally {
      this.active--;
    }
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

const ok = (value: number): Observation => ({ readings: { 'system.value': value } });
const never = () => new Promise<Observation>(() => {});

function setup(drivers: (clock: FakeClock) => ScriptedDriver[], backoff = { initialMs: 100, maxMs: 1_000 }) {
  const clock = new FakeClock(0);
  const log = recordingLogger();
  const list = drivers(clock);
  const seen: { driver: string; at: number; observation: Observation }[] = [];
  const scheduler = new Scheduler({
    drivers: list,
    clock,
    log,
    backoff,
    onObservation: (driver, observation, at) => seen.push({ driver: driver.name, at, observation }),
  });
  return { clock, log, drivers: list, seen, scheduler };
}

describe('Scheduler', () => {
  it('polls each driver at once on start, then on its own interval, and delivers with the clock time', async () => {
    const { clock, drivers, seen, scheduler } = setup((c) => [
      new ScriptedDriver('fast', 1_000, 500, async (n) => ok(n), c),
      new ScriptedDriver('slow', 3_000, 500, async (n) => ok(n), c),
    ]);
    scheduler.start();
    await clock.advance(0);
    await clock.advance(3_000);
    expect(drivers[0]!.calls).toEqual([0, 1_000, 2_000, 3_000]);
    expect(drivers[1]!.calls).toEqual([0, 3_000]);
    expect(seen.filter((s) => s.driver === 'slow')).toEqual([
      { driver: 'slow', at: 0, observation: ok(1) },
      { driver: 'slow', at: 3_000, observation: ok(2) },
    ]);
    await scheduler.stop();
  });

  it('keeps one poll in flight per driver and measures the interval from the start of a poll', async () => {
    const { clock, drivers, scheduler } = setup((c) => [
      new ScriptedDriver('slowpoll', 1_000, 10_000, async (n, signal) => (await sleep(c, n === 1 ? 2_500 : 400, signal), ok(n)), c),
    ]);
    scheduler.start();
    await clock.advance(0);
    await clock.advance(4_000);
    // 0 → done 2500 (overdue, runs at once) → 2500 → done 2900 → next at 3500.
    expect(drivers[0]!.calls).toEqual([0, 2_500, 3_500]);
    expect(drivers[0]!.maxActive).toBe(1);
    await scheduler.stop();
  });

  it('aborts a poll past its timeout, logs the driver name, and retries after the backoff', async () => {
    const { clock, log, drivers, scheduler } = setup((c) => [
      new ScriptedDriver('hung', 1_000, 500, never, c),
    ]);
    scheduler.start();
    await clock.advance(0);
    await clock.advance(499);
    expect(drivers[0]!.signals[0]!.aborted).toBe(false);
    await clock.advance(1);
    const signal = drivers[0]!.signals[0]!;
    expect(signal.aborted).toBe(true);
    expect((signal.reason as PollAbortError).why).toBe('timeout');
    const warn = log.entries.find((e) => e.level === 'warn');
    expect(warn?.obj).toMatchObject({ driver: 'hung', reason: 'timeout', failures: 1, retryInMs: 100 });
    expect(String(warn?.obj.err)).toContain('timed out after 500 ms');
    await clock.advance(100);
    expect(drivers[0]!.calls).toEqual([0, 600]);
    await scheduler.stop();
  });

  it('grows the backoff exponentially up to the cap and resets it on success', async () => {
    const failUntil = 6;
    const { clock, log, drivers, scheduler } = setup((c) => [
      new ScriptedDriver('flaky', 5_000, 1_000, async (n) => {
        if (n <= failUntil || n === 8) throw new Error(`boom ${n}`);
        return ok(n);
      }, c),
    ]);
    scheduler.start();
    await clock.advance(0);
    await clock.advance(20_000);
    const calls = drivers[0]!.calls;
    const gaps = calls.slice(1).map((t, i) => t - calls[i]!);
    // six failures: 100, 200, 400, 800, 1000 (cap), 1000; success → interval; failure → back to 100.
    expect(gaps.slice(0, 8)).toEqual([100, 200, 400, 800, 1_000, 1_000, 5_000, 100]);
    expect(log.entries.filter((e) => e.level === 'warn').map((e) => String(e.obj.err))).toContain('Error: boom 3');
    expect(log.entries.some((e) => e.level === 'info' && e.msg === 'driver recovered' && e.obj.failures === 6)).toBe(true);
    await scheduler.stop();
  });

  it('one hanging or throwing driver does not delay another', async () => {
    const { clock, drivers, seen, scheduler } = setup((c) => [
      new ScriptedDriver('hung', 1_000, 5_000, never, c),
      new ScriptedDriver('broken', 1_000, 5_000, async () => {
        throw new Error('driver bug');
      }, c),
      new ScriptedDriver('healthy', 1_000, 5_000, async (n) => ok(n), c),
    ]);
    scheduler.start();
    await clock.advance(0);
    await clock.advance(4_000);
    expect(drivers[2]!.calls).toEqual([0, 1_000, 2_000, 3_000, 4_000]);
    expect(seen.map((s) => s.driver)).toEqual(['healthy', 'healthy', 'healthy', 'healthy', 'healthy']);
    expect(drivers[0]!.calls).toEqual([0]);
    await scheduler.stop();
  });

  it('stop() aborts the poll in flight, clears every timer, and calls no driver afterwards', async () => {
    const { clock, drivers, seen, scheduler } = setup((c) => [
      new ScriptedDriver('sleepy', 1_000, 5_000, async (n, signal) => (await sleep(c, 2_000, signal), ok(n)), c),
      new ScriptedDriver('deaf', 1_000, 5_000, never, c),
    ]);
    scheduler.start();
    await clock.advance(0);
    await clock.advance(500);
    await scheduler.stop();
    expect(drivers[0]!.signals[0]!.aborted).toBe(true);
    expect((drivers[0]!.signals[0]!.reason as PollAbortError).why).toBe('stopped');
    expect(drivers[1]!.signals[0]!.aborted).toBe(true);
    expect(clock.pendingTimers).toBe(0);
    await clock.advance(60_000);
    expect(drivers.map((d) => d.calls.length)).toEqual([1, 1]);
    expect(seen).toEqual([]);
    expect(drivers.some((d) => d.closed)).toBe(false);
    expect((await scheduler.pollOnce(drivers[0]!)).ok).toBe(false);
    expect(drivers[0]!.calls.length).toBe(1);
  });

  it('forwards watch emits with the clock time until stopped, and survives a throwing handler', async () => {
    const clock = new FakeClock(0);
    const log = recordingLogger();
    let emit: (o: Observation) => void = () => {};
    const driver = new ScriptedDriver('watcher', 60_000, 500, async (n) => ok(n), clock);
    Object.assign(driver, { watch: (e: (o: Observation) => void) => void (emit = e) });
    const seen: number[] = [];
    const scheduler = new Scheduler({
      drivers: [driver],
      clock,
      log,
      onObservation: (_d, o, at) => {
        seen.push(at);
        if (o.readings['system.value'] === -1) throw new Error('handler bug');
      },
    });
    scheduler.start();
    await clock.advance(0);
    await clock.advance(250);
    emit(ok(-1));
    emit(ok(42));
    expect(seen).toEqual([0, 250, 250]);
    expect(log.entries.some((e) => e.level === 'error' && e.msg === 'observation handler threw')).toBe(true);
    await scheduler.stop();
    emit(ok(43));
    expect(seen).toHaveLength(3);
  });

  it('pollAll polls every driver once, honouring timeouts, without start()', async () => {
    const { clock, seen, drivers, scheduler } = setup((c) => [
      new ScriptedDriver('good', 1_000, 500, async (n) => ok(n), c),
      new ScriptedDriver('hung', 1_000, 300, never, c),
    ]);
    let results: Map<Driver, PollResult> | undefined;
    void scheduler.pollAll().then((r) => (results = r));
    await clock.advance(299);
    expect(results).toBeUndefined();
    await clock.advance(1);
    expect(results?.get(drivers[0]!)).toMatchObject({ ok: true, observation: ok(1), at: 0 });
    expect(results?.get(drivers[1]!)).toMatchObject({ ok: false, reason: 'timeout', at: 300 });
    expect(seen.map((s) => s.driver)).toEqual(['good']);
    expect(clock.pendingTimers).toBe(0);
  });

  it('pollOnce joins the poll already in flight instead of starting a second one', async () => {
    const { clock, drivers, scheduler } = setup((c) => [
      new ScriptedDriver('slow', 10_000, 5_000, async (n, signal) => (await sleep(c, 1_000, signal), ok(n)), c),
    ]);
    scheduler.start();
    await clock.advance(0);
    const joined = scheduler.pollOnce(drivers[0]!);
    await clock.advance(1_000);
    expect(await joined).toMatchObject({ ok: true, startedAt: 0, observation: ok(1) });
    expect(drivers[0]!.calls).toEqual([0]);
    await scheduler.stop();
  });

  it('treats a synchronous throw from poll as a failure', async () => {
    const clock = new FakeClock(0);
    const driver = new ScriptedDriver('sync', 1_000, 500, async (n) => ok(n), clock);
    driver.poll = () => {
      throw new Error('sync bug');
    };
    const scheduler = new Scheduler({ drivers: [driver], clock, log: recordingLogger(), onObservation: () => {} });
    const result = await scheduler.pollOnce(driver);
    expect(result).toMatchObject({ ok: false, reason: 'failed' });
    expect(result.ok ? '' : result.error.message).toBe('sync bug');
  });
});
