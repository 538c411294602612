import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { FakeClock } from '../../../test/support/fake-clock.js';
import { AuthThrottle, DEFAULT_AUTH_THROTTLE, sourceKey } from '../src/auth-throttle.js';
import { startTestHub } from '../../../test/support/hub-harness.js';
import { recordingLogger } from '../../../test/support/recording-logger.js';

const policy = { burst: 3, refillMs: 1_000, logIntervalMs: 10_000, maxSources: 100 };

function throttle(overrides: Partial<typeof policy> = {}) {
  const clock = new FakeClock();
  const log = recordingLogger();
  return { clock, log, throttle: new AuthThrottle(clock, log, { ...policy, ...overrides }) };
}

const summaries = (log: ReturnType<typeof recordingLogger>) => log.entries.filter((e) => e.msg === 'failed authentications');

describe('sourceKey', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['2001:db8:1:2:aaaa:bbbb:cccc:dddd', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::9', '2001:db8:1:2::/64'],
    ['2001:0db8::1', '2001:db8:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['1::2:3:4:5:1.2.3.4', '1:0:2:3::/64'],
    ['::1', '0:0:0:0::/64'],
    [undefined, 'unknown'],
  ])('counts %s against %s', (address, key) => {
    expect(sourceKey(address)).toBe(key);
  });
});

describe('AuthThrottle', () => {
  it('lets a source fail `burst` times, then asks it to wait until its allowance refills', async () => {
    const { clock, throttle: t } = throttle();
    for (let i = 0; i < 3; i++) {
      expect(t.retryAfterMs('192.0.2.1')).toBe(0);
      t.failed('192.0.2.1', 'wrong token');
    }
    expect(t.retryAfterMs('192.0.2.1')).toBe(1_000);
    await clock.advance(400);
    expect(t.retryAfterMs('192.0.2.1')).toBe(600);
    await clock.advance(600);
    expect(t.retryAfterMs('192.0.2.1')).toBe(0);
    t.failed('192.0.2.1', 'wrong token');
    expect(t.retryAfterMs('192.0.2.1')).toBe(1_000);
  });

  it("never slows a source for another source's failures", () => {
    const { throttle: t } = throttle();
    for (let i = 0; i < 50; i++) t.failed('192.0.2.1', 'wrong token');
    expect(t.retryAfterMs('192.0.2.1')).toBeGreaterThan(0);
    expect(t.retryAfterMs('192.0.2.2')).toBe(0);
    expect(t.retryAfterMs('2001:db8::1')).toBe(0);
  });

  it('logs one line per source per period with counts, none per attempt', async () => {
    const { clock, log, throttle: t } = throttle();
    for (let i = 0; i < 1_000; i++) {
      if (t.retryAfterMs('192.0.2.1') === 0) t.failed('192.0.2.1', i % 2 ? 'wrong token for terminal "T-0001"' : 'unknown terminal "T-9"');
    }
    t.failed('192.0.2.2', 'no credentials');
    expect(log.entries).toEqual([]);
    await clock.advance(policy.logIntervalMs);
    expect(summaries(log).map((e) => [e.level, e.fields])).toEqual([
      ['warn', { remote: '192.0.2.1', failures: 3, throttled: 997, reasons: { 'unknown terminal "T-9"': 2, 'wrong token for terminal "T-0001"': 1 }, periodMs: 10_000 }],
      ['warn', { remote: '192.0.2.2', failures: 1, throttled: 0, reasons: { 'no credentials': 1 }, periodMs: 10_000 }],
    ]);
    // A quiet period logs nothing more.
    await clock.advance(policy.logIntervalMs);
    expect(summaries(log)).toHaveLength(2);
  });

  it('counts a few distinct reasons per source, the rest as "other", each cut short', async () => {
    const { clock, log, throttle: t } = throttle({ burst: 100 });
    for (let i = 0; i < 8; i++) t.failed('192.0.2.1', `unknown terminal "T-${i}${'x'.repeat(300)}"`);
    await clock.advance(policy.logIntervalMs);
    const reasons = summaries(log)[0]!.fields.reasons as Record<string, number>;
    expect(Object.keys(reasons)).toHaveLength(6);
    expect(reasons.other).toBe(3);
    expect(Object.keys(reasons).every((r) => r.length <= 200)).toBe(true);
  });

  it('forgets a source once its allowance is full again and its failures are logged', async () => {
    const { clock, throttle: t } = throttle();
    t.failed('192.0.2.1', 'wrong token');
    expect(t.tracked).toBe(1);
    await clock.advance(policy.logIntervalMs);
    expect(t.tracked).toBe(0);
    await clock.advance(10 * policy.logIntervalMs);
    expect(clock.pendingTimers).toBe(0);
  });

  it('tracks at most maxSources, forgetting the one that failed longest ago, and still counts its failures', async () => {
    const { clock, log, throttle: t } = throttle({ maxSources: 3 });
    for (let i = 1; i <= 5; i++) {
      t.failed(`192.0.2.${i}`, 'wrong token');
      t.failed(`192.0.2.${i}`, 'wrong token');
    }
    expect(t.tracked).toBe(3);
    await clock.advance(policy.logIntervalMs);
    expect(summaries(log).map((e) => e.fields.remote)).toEqual(['192.0.2.3', '192.0.2.4', '192.0.2.5']);
    expect(log.entries.find((e) => e.msg === 'failed authentications from sources no longer tracked')?.fields).toEqual({ failures: 4, maxSources: 3 });
  });

  it('logs what is pending when closed and leaves no timer', () => {
    const { clock, log, throttle: t } = throttle();
    t.failed('192.0.2.1', 'wrong token');
    t.close();
    expect(summaries(log)).toHaveLength(1);
    expect(clock.pendingTimers).toBe(0);
  });
});

/** One upgrade attempt from `localAddress`; resolves with its HTTP status (101 when it upgraded) and Retry-After. */
function upgrade(url: string, token: string, localAddress: string): Promise<{ status: number; retryAfter?: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { localAddress, headers: { authorization: `Bearer ${token}`, 'x-posdiag-terminal': 'T-0001' } });
    ws.once('open', () => {
      ws.terminate();
      resolve({ status: 101 });
    });
    ws.once('unexpected-response', (req, res) => {
      req.destroy();
      resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] });
    });
    ws.once('error', reject);
  });
}

describe('hub: failed authentications are slowed per source and logged in aggregate', () => {
  const API_TOKEN = 'operator-secret';
  let h: Awaited<ReturnType<typeof startTestHub>>;
  beforeAll(async () => {
    h = await startTestHub({ apiToken: API_TOKEN });
  });
  afterAll(() => h.cleanup());

  it('answers 1,000 wrong agent tokens with 401 ten times, then 429, logs them in one line, and still lets in another source', async () => {
    const statuses: number[] = [];
    const retryAfters = new Set<string | undefined>();
    for (let batch = 0; batch < 50; batch++) {
      const answers = await Promise.all(Array.from({ length: 20 }, () => upgrade(h.hub.url, 'guess', '127.0.0.2')));
      for (const a of answers) {
        statuses.push(a.status);
        if (a.status === 429) retryAfters.add(a.retryAfter);
      }
    }
    expect(statuses.filter((s) => s === 401)).toHaveLength(DEFAULT_AUTH_THROTTLE.burst);
    expect(statuses.filter((s) => s === 429)).toHaveLength(1_000 - DEFAULT_AUTH_THROTTLE.burst);
    expect(retryAfters).toEqual(new Set([String(DEFAULT_AUTH_THROTTLE.refillMs / 1000)]));

    // The right token from another source is not slowed; from the throttled source it is not even looked at.
    expect((await upgrade(h.hub.url, 'token-one', '127.0.0.1')).status).toBe(101);
    expect((await upgrade(h.hub.url, 'token-one', '127.0.0.2')).status).toBe(429);

    const warned = () => h.log.entries.filter((e) => e.level === 'warn' || e.level === 'error');
    expect(warned()).toEqual([]);
    await h.clock.advance(DEFAULT_AUTH_THROTTLE.logIntervalMs);
    expect(warned().map((e) => [e.msg, e.fields])).toEqual([
      [
        'failed authentications',
        expect.objectContaining({ remote: '127.0.0.2', failures: 10, throttled: 991, reasons: { 'wrong token for terminal "T-0001"': 10 } }),
      ],
    ]);

    // Once its allowance refills, the source is heard again.
    await h.clock.advance(DEFAULT_AUTH_THROTTLE.refillMs);
    expect((await upgrade(h.hub.url, 'token-one', '127.0.0.2')).status).toBe(101);
  }, 60_000);

  it('slows wrong API tokens the same way, per source', async () => {
    const call = (token: string, localAddress: string) =>
      new Promise<{ status: number; retryAfter: string | undefined }>((resolve, reject) => {
        import('node:http').then(({ get }) =>
          get(`${h.api}/reports`, { localAddress, headers: { authorization: `Bearer ${token}` } }, (res) => {
            res.resume();
            resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] });
          }).on('error', reject),
        );
      });
    const answers = [];
    for (let i = 0; i < 12; i++) answers.push(await call('wrong', '127.0.0.3'));
    expect(answers.map((a) => a.status)).toEqual([...Array(10).fill(401), 429, 429]);
    expect(answers.at(-1)!.retryAfter).toBe(String(DEFAULT_AUTH_THROTTLE.refillMs / 1000));
    expect((await call(API_TOKEN, '127.0.0.3')).status).toBe(429);
    expect((await call(API_TOKEN, '127.0.0.1')).status).toBe(200);
  });
});
