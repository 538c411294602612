import { parseDuration } from 'posdiag-protocol';

/** A device section's `interval` and `timeout` (durations such as "30s"). */
export interface PollTimingConfig {
  interval?: string | undefined;
  timeout?: string | undefined;
}

/** How often a driver is polled and how long one poll may take: the config's values, else the driver's defaults. */
export function pollTiming(config: PollTimingConfig, defaults: { interval: string; timeout: string }): { intervalMs: number; timeoutMs: number } {
  return { intervalMs: parseDuration(config.interval ?? defaults.interval), timeoutMs: parseDuration(config.timeout ?? defaults.timeout) };
}
