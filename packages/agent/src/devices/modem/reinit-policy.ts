/**
 * When to re-initialise a modem by itself (the first-line fix), decided on the injected clock. Pure.
 *
 * Invariants:
 * - A re-init is due only after the same trouble has lasted `afterMs` without a break; a poll without
 *   the trouble (or with the other one) restarts the wait.
 * - At most `maxAttempts` re-inits in any `windowMs`, and at least `afterMs` between two of them, so a
 *   modem that a re-init does not fix is left alone, and one that needs time to register gets it.
 */

/** `unresponsive`: no answer to AT. `not_registered`: SIM ready but searching or idle. */
export type ModemTrouble = 'unresponsive' | 'not_registered';

export interface ReinitPolicyOptions {
  afterMs: number;
  maxAttempts: number;
  windowMs: number;
}

export const DEFAULT_REINIT_POLICY: ReinitPolicyOptions = { afterMs: 2 * 60_000, maxAttempts: 3, windowMs: 60 * 60_000 };

export class ReinitPolicy {
  private trouble: ModemTrouble | undefined;
  private since = 0;
  private attempts: number[] = [];

  constructor(private readonly options: ReinitPolicyOptions = DEFAULT_REINIT_POLICY) {}

  /** Records what a poll found at `now`; returns the trouble to re-initialise for now, if any. */
  observe(trouble: ModemTrouble | undefined, now: number): ModemTrouble | undefined {
    if (trouble !== this.trouble) {
      this.trouble = trouble;
      this.since = now;
    }
    if (trouble === undefined) return undefined;
    const { afterMs, maxAttempts, windowMs } = this.options;
    this.attempts = this.attempts.filter((at) => now - at < windowMs);
    const last = this.attempts[this.attempts.length - 1];
    if (now - this.since < afterMs || this.attempts.length >= maxAttempts) return undefined;
    if (last !== undefined && now - last < afterMs) return undefined;
    this.attempts.push(now);
    return trouble;
  }
}
