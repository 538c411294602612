import { backoffDelay, type BackoffPolicy } from 'posdiag-protocol';
import type { Clock, TimerHandle } from 'posdiag-protocol';
import type { Observation } from '../core/readings.js';
import type { Logger } from '../log/logger.js';
import type { DeviceEvent, Driver } from './contract.js';

/**
 * Runs every driver on its own interval and hands each Observation to `onObservation`, and each of its
 * DeviceEvents to `onDeviceEvent`: the one way readings and events leave the drivers.
 *
 * Invariants:
 * - At most one poll per driver is in flight as far as the scheduler is concerned. A poll that outlives
 *   `driver.timeoutMs` is aborted and counted as a failure; the timeout races the poll, so a driver that
 *   ignores its signal is abandoned, never waited for.
 * - A driver that rejects or times out is logged and retried after a capped exponential backoff; the
 *   other drivers keep their own schedules. The first success resets the backoff.
 * - After `stop()` no driver method is called and nothing more is delivered (its device-event
 *   subscriptions are given back). Closing drivers is the owner's job, not the scheduler's.
 * - All waiting goes through the injected Clock.
 */

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 1_000, maxMs: 60_000 };

export interface SchedulerOptions {
  drivers: Driver[];
  clock: Clock;
  log: Logger;
  /** Every Observation, polled or watched, with the clock time it arrived. Must not throw (it is logged if it does). */
  onObservation: (driver: Driver, observation: Observation, at: number) => void;
  /** Every DeviceEvent (wear, reference times), with the clock time it arrived. Must not throw (it is logged if it does). */
  onDeviceEvent?: (driver: Driver, event: DeviceEvent, at: number) => void;
  backoff?: BackoffPolicy;
}

export type PollResult =
  | { ok: true; observation: Observation; startedAt: number; at: number }
  | { ok: false; reason: 'failed' | 'timeout' | 'stopped'; error: Error; startedAt: number; at: number };

/** The abort reason the scheduler gives a poll's signal; `why` tells a timeout from a shutdown. */
export class PollAbortError extends Error {
  override name = 'PollAbortError';
  constructor(
    readonly why: 'timeout' | 'stopped',
    message: string,
  ) {
    super(message);
  }
}

interface DriverState {
  driver: Driver;
  failures: number;
  timer?: TimerHandle;
  inFlight?: Promise<PollResult>;
  controller?: AbortController;
}

export class Scheduler {
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly onObservation: SchedulerOptions['onObservation'];
  private readonly onDeviceEvent: SchedulerOptions['onDeviceEvent'];
  private readonly unsubscribes: (() => void)[] = [];
  private readonly backoff: BackoffPolicy;
  private readonly states = new Map<Driver, DriverState>();
  private started = false;
  private stopped = false;

  constructor(options: SchedulerOptions) {
    this.clock = options.clock;
    this.log = options.log;
    this.onObservation = options.onObservation;
    this.onDeviceEvent = options.onDeviceEvent;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    for (const driver of options.drivers) this.states.set(driver, { driver, failures: 0 });
  }

  /** Subscribes to every driver's device events, starts its watch (if any) and schedules its first poll now. */
  start(): void {
    if (this.started || this.stopped) throw new Error('Scheduler can be started once, before stop()');
    this.started = true;
    for (const state of this.states.values()) {
      this.subscribe(state.driver);
      this.startWatch(state.driver);
      this.schedule(state, 0);
    }
  }

  /** Aborts polls in flight and clears every timer; resolves once no poll is pending. Idempotent. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe();
    const pending: Promise<PollResult>[] = [];
    for (const state of this.states.values()) {
      if (state.timer) this.clock.clearTimeout(state.timer);
      state.timer = undefined;
      state.controller?.abort(new PollAbortError('stopped', `scheduler stopped while polling ${state.driver.name}`));
      if (state.inFlight) pending.push(state.inFlight);
    }
    await Promise.all(pending);
  }

  /**
   * One poll of `driver`, bounded by its timeout, delivered to `onObservation` like any other. Joins the
   * poll already in flight instead of starting a second one.
   */
  pollOnce(driver: Driver): Promise<PollResult> {
    const state = this.states.get(driver);
    if (!state) throw new Error(`driver ${driver.name} is not managed by this scheduler`);
    return this.run(state);
  }

  /** One poll of every driver, concurrently (the self-test). */
  async pollAll(): Promise<Map<Driver, PollResult>> {
    const drivers = [...this.states.keys()];
    const results = await Promise.all(drivers.map((d) => this.pollOnce(d)));
    return new Map(drivers.map((d, i) => [d, results[i]!]));
  }

  private schedule(state: DriverState, delayMs: number): void {
    state.timer = this.clock.setTimeout(() => {
      state.timer = undefined;
      void this.tick(state);
    }, delayMs);
  }

  private async tick(state: DriverState): Promise<void> {
    const result = await this.run(state);
    if (this.stopped) return;
    const delay = result.ok
      ? Math.max(0, result.startedAt + state.driver.intervalMs - this.clock.now())
      : backoffDelay(this.backoff, state.failures);
    this.schedule(state, delay);
  }

  private run(state: DriverState): Promise<PollResult> {
    if (this.stopped) {
      const now = this.clock.now();
      const error = new PollAbortError('stopped', `scheduler stopped before polling ${state.driver.name}`);
      return Promise.resolve({ ok: false, reason: 'stopped', error, startedAt: now, at: now });
    }
    state.inFlight ??= this.execute(state).finally(() => {
      state.inFlight = undefined;
    });
    return state.inFlight;
  }

  private async execute(state: DriverState): Promise<PollResult> {
    const { driver } = state;
    const startedAt = this.clock.now();
    const controller = new AbortController();
    state.controller = controller;
    const failed = (err: unknown): PollResult => {
      const abort = controller.signal.aborted ? (controller.signal.reason as PollAbortError) : undefined;
      const error = abort ?? (err instanceof Error ? err : new Error(String(err)));
      return { ok: false, reason: abort?.why ?? 'failed', error, startedAt, at: this.clock.now() };
    };

    // Settles the moment the signal aborts, whether or not the driver notices.
    const aborted = new Promise<PollResult>((resolve) => {
      controller.signal.addEventListener('abort', () => resolve(failed(controller.signal.reason)), { once: true });
    });
    const timer = this.clock.setTimeout(() => {
      controller.abort(new PollAbortError('timeout', `${driver.name} poll timed out after ${driver.timeoutMs} ms`));
    }, driver.timeoutMs);
    const attempt = callPoll(driver, controller.signal).then(
      (observation): PollResult => ({ ok: true, observation, startedAt, at: this.clock.now() }),
      failed,
    );

    const result = await Promise.race([attempt, aborted]);
    this.clock.clearTimeout(timer);
    state.controller = undefined;
    this.account(state, result);
    return result;
  }

  private account(state: DriverState, result: PollResult): void {
    const { driver } = state;
    if (result.ok) {
      if (state.failures > 0) this.log.info({ driver: driver.name, failures: state.failures }, 'driver recovered');
      state.failures = 0;
      if (!this.stopped) this.deliver(driver, result.observation, result.at);
      return;
    }
    if (result.reason === 'stopped') return;
    state.failures += 1;
    this.log.warn(
      {
        driver: driver.name,
        device: driver.kind,
        err: result.error,
        reason: result.reason,
        failures: state.failures,
        retryInMs: backoffDelay(this.backoff, state.failures),
      },
      result.reason === 'timeout' ? 'driver poll timed out' : 'driver poll failed',
    );
  }

  private subscribe(driver: Driver): void {
    const onDeviceEvent = this.onDeviceEvent;
    if (!driver.deviceEvents || !onDeviceEvent) return;
    this.unsubscribes.push(
      driver.deviceEvents((event) => {
        if (this.stopped) return;
        try {
          onDeviceEvent(driver, event, this.clock.now());
        } catch (err) {
          this.log.error({ driver: driver.name, event: event.type, err }, 'device event handler threw');
        }
      }),
    );
  }

  private startWatch(driver: Driver): void {
    if (!driver.watch) return;
    try {
      driver.watch((observation) => {
        if (!this.stopped) this.deliver(driver, observation, this.clock.now());
      });
    } catch (err) {
      this.log.error({ driver: driver.name, device: driver.kind, err }, 'driver watch failed to start');
    }
  }

  private deliver(driver: Driver, observation: Observation, at: number): void {
    try {
      this.onObservation(driver, observation, at);
    } catch (err) {
      this.log.error({ driver: driver.name, err }, 'observation handler threw');
    }
  }
}

/** A synchronous throw from `poll` is a driver failure like a rejection. */
function callPoll(driver: Driver, signal: AbortSignal): Promise<Observation> {
  try {
    return Promise.resolve(driver.poll(signal));
  } catch (err) {
    return Promise.reject(err);
  }
}
