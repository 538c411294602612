/** Reconnect delays: capped exponential backoff with full jitter. */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 1_000, maxMs: 60_000 };

/**
 * Delay before reconnect attempt `attempt` (0 for the first retry): uniform in [0, ceiling) where
 * ceiling = min(maxMs, initialMs · 2^attempt). Full jitter spreads a fleet of terminals that lost the
 * hub at the same moment, so a hub restart is not met by a synchronized stampede.
 * `random` returns values in [0, 1), as Math.random does.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number): number {
  // The exponent is capped so that 2^attempt stays finite (and 0 · Infinity never makes NaN).
  const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}
