/**
 * How much a monotonic counter (e.g. `carrier_changes`) grew over a sliding time window. The kernel
 * counts since the interface appeared, so a rule cannot use the raw value; this turns it into
 * "changes in the last N minutes".
 *
 * Invariants: samples older than the window are dropped, so memory is bounded by the sampling rate;
 * a counter that goes backwards (interface re-created, driver reloaded) starts a new
 * history instead of giving a negative increase. Times come from the caller's injected clock.
 */
export class CounterWindow {
  private samples: { at: number; value: number }[] = [];

  constructor(readonly windowMs: number) {}

  /** Records `value` at time `at` and returns its growth since the oldest sample within the window. */
  record(at: number, value: number): number {
    const last = this.samples.at(-1);
    if (last && (value < last.value || at < last.at)) this.samples = [];
    this.samples.push({ at, value });
    const start = at - this.windowMs;
    while (this.samples[0]!.at < start) this.samples.shift();
    return value - this.samples[0]!.value;
  }

  /** Forgets the history (the counter is gone, e.g. the interface disappeared). */
  reset(): void {
    this.samples = [];
  }
}
