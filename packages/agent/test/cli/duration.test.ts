import { describe, expect, it } from 'vitest';
import { parseDuration } from 'posdiag-protocol';
import { configSchema } from '../../src/config/schema.js';
import { parseSince } from '../../src/log-reader/since.js';
import { parseSilence } from 'posdiag-hub';

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
