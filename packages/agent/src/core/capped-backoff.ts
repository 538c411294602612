export interface BackoffPolicy {
  /** Delay before the first retry after a failure. */
  initialMs: number;
  /** Ceiling for the doubling delay. */
  maxMs: number;
}

/**
 * Capped exponential backoff without jitter, for one device or one helper process: the delay before
 * the retry that follows the `failures`-th consecutive failure (failures >= 1). The uplink, one of a
 * fleet, adds full jitter on top (report/uplink/backoff.ts).
 */
export function backoffDelay(policy: BackoffPolicy, failures: number): number {
  return Math.min(policy.maxMs, policy.initialMs * 2 ** Math.max(0, failures - 1));
}
