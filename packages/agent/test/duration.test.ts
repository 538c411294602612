import { describe, expect, it } from 'vitest';
import { DurationError, parseDuration } from 'posdiag-protocol';
import { configSchema } from '../src/config/schema.js';
import { parseSince } from '../src/log-reader/since.js';
import { parseSilence } from 'posdiag-hub';

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

describe('one grammar for the config, --silence-after and --since', () => {
  const NOW = Date.UTC(2026, 10, 23, 12);
  const heartbeatOf = (heartbeat: string) => configSchema.safeParse({ terminal: { id: 'T-1' }, heartbeat });

  it.each(['90s', '15m', '2h', '1d', '1w'])('%s is read the same by all three', (text) => {
    const ms = parseDuration(text);
    expect(heartbeatOf(text).success).toBe(true);
    expect(parseSince(text, NOW)).toBe(NOW - ms);
    if (ms >= 120_000) expect(parseSilence(text)).toBe(ms);
  });

  it.each(['1.5h', '5y', '10 m'])('%s is refused by all three', (text) => {
    expect(heartbeatOf(text).success).toBe(false);
    expect(() => parseSince(text, NOW)).toThrow(/invalid --since/);
    expect(() => parseSilence(text)).toThrow(/--silence-after must be a duration/);
  });
});
