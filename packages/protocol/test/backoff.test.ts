import { describe, expect, it } from 'vitest';
import { backoffDelay, fullJitterDelay } from '../src/backoff.js';

describe('backoffDelay', () => {
  it('doubles from the initial delay and stops at the cap', () => {
    const policy = { initialMs: 250, maxMs: 3_000 };
    expect([1, 2, 3, 4, 5, 100].map((n) => backoffDelay(policy, n))).toEqual([250, 500, 1_000, 2_000, 3_000, 3_000]);
  });
});

describe('fullJitterDelay', () => {
  const policy = { initialMs: 100, maxMs: 1_000 };

  it('doubles the ceiling per attempt and scales it by the random draw (full jitter)', () => {
    const half = () => 0.5;
    expect([0, 1, 2, 3].map((a) => fullJitterDelay(a, policy, half))).toEqual([50, 100, 200, 400]);
    expect(fullJitterDelay(2, policy, () => 0)).toBe(0);
    expect(fullJitterDelay(2, policy, () => 0.999)).toBe(399);
  });

  it('caps the ceiling at maxMs, even for huge attempt counts', () => {
    expect(fullJitterDelay(4, policy, () => 0.5)).toBe(500);
    expect(fullJitterDelay(10_000, policy, () => 0.999)).toBe(999);
    expect(fullJitterDelay(10_000, { initialMs: 0, maxMs: 1_000 }, () => 0.5)).toBe(0);
  });
});
