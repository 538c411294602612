import { systemClock, type Clock } from 'posdiag-protocol';
import type { SwipeSource } from './swipe-events.js';
import type { SwipeResult } from './swipe.js';

export type TestSwipeResult = ({ swiped: true } & SwipeResult) | { swiped: false; reason: 'timeout' };

/**
 * The interactive check ("swipe the test card within 30 s"): resolves with the per-track result of the
 * first swipe after the call, or `{swiped: false, reason: 'timeout'}`. Rejects with `signal.reason`
 * when aborted. Only status fields: the test card's data is gone before this sees the swipe.
 */
export function awaitTestSwipe(driver: SwipeSource, timeoutMs: number, signal?: AbortSignal, clock: Clock = systemClock): Promise<TestSwipeResult> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const finish = () => {
      unsubscribe();
      clock.clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const unsubscribe = driver.onSwipe((swipe) => {
      finish();
      resolve({ swiped: true, ...swipe });
    });
    const timer = clock.setTimeout(() => {
      finish();
      resolve({ swiped: false, reason: 'timeout' });
    }, timeoutMs);
    const onAbort = () => {
      finish();
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
