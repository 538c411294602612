import type { Clock, TimerHandle } from '../core/clock.js';
import type { Logger } from '../log/logger.js';

/**
 * Calls `beat` every `intervalMs` on the given clock until stopped. A beat that fails is logged and the
 * schedule goes on: a missed heartbeat is itself the signal the hub watches for.
 */
export function startHeartbeat(clock: Clock, intervalMs: number, beat: () => Promise<void>, log: Logger): () => void {
  let timer: TimerHandle | undefined;
  let stopped = false;
  const tick = () => {
    beat()
      .catch((err) => log.error({ err }, 'heartbeat failed'))
      .finally(() => {
        if (!stopped) timer = clock.setTimeout(tick, intervalMs);
      });
  };
  timer = clock.setTimeout(tick, intervalMs);
  return () => {
    stopped = true;
    if (timer) clock.clearTimeout(timer);
  };
}
