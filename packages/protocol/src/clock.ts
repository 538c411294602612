/**
 * Time as a dependency, on both sides: everything that waits or timestamps (the agent's polls and
 * backoffs, the hub's keep-alive pings, silence checks and throttle periods) takes a Clock, so tests
 * drive time with the fake clock of the test support (test/support/fake-clock.ts at the repository
 * root) and never sleep. Invariant: a timer fires at most once, never before `now() >= due`.
 */
export type TimerHandle = { readonly __timer: unique symbol } | object;

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    // Timers never keep the process alive on their own: shutdown is explicit.
    t.unref();
    return t;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
