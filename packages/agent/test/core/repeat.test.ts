import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../../test/support/fake-clock.js';
import { repeatEvery } from '../../src/core/repeat.js';
import { silentLogger } from '../../src/log/logger.js';

describe('repeatEvery', () => {
  it('runs every interval, goes on after a failure, and stops', async () => {
    const clock = new FakeClock();
    const runs: number[] = [];
    const stop = repeatEvery(
      clock,
      1000,
      async () => {
        runs.push(clock.now());
        if (runs.length === 2) throw new Error('disk hiccup');
      },
      silentLogger,
    );
    const start = clock.now();
    await clock.advance(3500);
    expect(runs.map((t) => t - start)).toEqual([1000, 2000, 3000]);
    stop();
    await clock.advance(5000);
    expect(runs).toHaveLength(3);
    expect(clock.pendingTimers).toBe(0);
  });
});
