import type { Clock, TimerHandle } from 'posdiag-protocol';
import type { Logger } from '../log/logger.js';

/**
 * Calls `task` every `intervalMs` on the given clock until stopped, never two at once. A run that
 * fails is logged and the schedule goes on (a missed heartbeat is itself the signal the hub watches for).
 */
export function repeatEvery(clock: Clock, intervalMs: number, task: () => Promise<void>, log: Logger): () => void {
  let timer: TimerHandle | undefined;
  let stopped = false;
  const tick = () => {
    task()
      .catch((err) => log.error({ err }, 'periodic task failed'))
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
