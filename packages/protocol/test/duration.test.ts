import { describe, expect, it } from 'vitest';
import { DurationError, parseDuration } from '../src/duration.js';

describe('parseDuration', () => {
  it.each([
    ['0s', 0],
    ['250ms', 250],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    ['2w', 1_209_600_000],
  ])('%s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '5', 'm', '5 m', ' 5m', '-5m', '1.5h', '5y', '5M', '5min', '1h30m', '99999999999999999w'])('rejects %j', (text) => {
    expect(() => parseDuration(text)).toThrow(DurationError);
  });
});
