/** The one backoff, for the agent and the hub: capped exponential, with full jitter for the parts that are one of a fleet. */
export interface BackoffPolicy {
  /** Delay before the first retry after a failure. */
  initialMs: number;
  /** Ceiling for the doubling delay. */
  maxMs: number;
}

/**
 * Capped exponential backoff without jitter, for one device or one helper process: the delay before
 * the retry that follows the `failures`-th consecutive failure (failures >= 1).
 */
export function backoffDelay(policy: BackoffPolicy, failures: number): number {
  // The exponent is capped so that 2^n stays finite (and 0 · Infinity never makes NaN).
  return Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(Math.max(0, failures - 1), 30));
}

/**
 * The delay before reconnect attempt `attempt` (0 for the first retry) with full jitter: uniform in
 * [0, backoffDelay). The uplink and the hub's delivery queue use it: full jitter spreads a fleet of terminals that lost the hub at
 * the same moment, so a hub restart is not met by a synchronized stampede. `random` returns values in
 * [0, 1), as Math.random does.
 */
export function fullJitterDelay(attempt: number, policy: BackoffPolicy, random: () => number): number {
  return Math.floor(random() * backoffDelay(policy, attempt + 1));
}
