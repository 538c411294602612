import { isIP } from 'node:net';
import type { Clock, TimerHandle } from 'posdiag-protocol';
import type { Logger } from './logger.js';

export interface AuthThrottlePolicy {
  /** Failed authentications a source may make back to back before it is answered 429 unheard. */
  burst: number;
  /** A source earns one more attempt every this many ms, up to `burst` (a token bucket). */
  refillMs: number;
  /** Failures are logged once per source per this period, as counts. */
  logIntervalMs: number;
  /** Most sources tracked; beyond it the one that failed longest ago is forgotten. */
  maxSources: number;
}

/**
 * Ten tries at once, then one every 6 s. A terminal whose token was revoked retries on its reconnect
 * backoff (up to a minute, jittered) and never runs dry, so terminals behind the same NAT are not
 * refused for it; a guesser gets ten a minute.
 */
export const DEFAULT_AUTH_THROTTLE: AuthThrottlePolicy = { burst: 10, refillMs: 6_000, logIntervalMs: 60_000, maxSources: 10_000 };

/** Distinct reasons counted per source and period; more are summed under "other". */
const MAX_REASONS = 5;
const MAX_REASON_CHARS = 200;

interface Source {
  /** Attempts left, fractional while refilling. */
  allowance: number;
  /** When `allowance` was last brought up to date. */
  at: number;
  /** Since the last log line: refused after checking the credentials, refused unheard (429), by reason. */
  failures: number;
  throttled: number;
  reasons: Map<string, number>;
}

/**
 * Who an attempt counts against: an IPv4 address (also IPv4-mapped IPv6) as is, an IPv6 address by its
 * /64, since one host commonly holds a whole /64 and could otherwise try from a fresh address each time.
 */
export function sourceKey(address: string | undefined): string {
  if (!address) return 'unknown';
  const plain = address.replace(/%.*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(plain);
  if (mapped) return mapped[1]!;
  if (isIP(plain) !== 6) return plain;
  const [head = '', tail] = plain.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  // A dotted IPv4 tail stands for two groups.
  const tailLength = tailGroups.length + (tailGroups.at(-1)?.includes('.') ? 1 : 0);
  const groups = tail === undefined ? headGroups : [...headGroups, ...Array<string>(8 - headGroups.length - tailLength).fill('0'), ...tailGroups];
  return `${groups.slice(0, 4).map((g) => parseInt(g, 16).toString(16)).join(':')}::/64`;
}

/**
 * Failed authentications (agent upgrades and API tokens alike) per source: each source may fail
 * `burst` times, then only as fast as its allowance refills; until then it is answered 429 without its
 * credentials being looked at, so a guesser gains nothing by trying faster. A source's failures never
 * slow another source. Failures are logged in aggregate: one line per source per `logIntervalMs` with
 * counts, not one per attempt. Memory is bounded: at most `maxSources` tracked, and a source is
 * forgotten once its allowance is full again and its counts are logged. Time is the injected clock.
 */
export class AuthThrottle {
  private readonly sources = new Map<string, Source>();
  /** Failures of sources forgotten (table full) before their counts were logged. */
  private forgottenFailures = 0;
  private flushTimer: TimerHandle | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly policy: AuthThrottlePolicy = DEFAULT_AUTH_THROTTLE,
  ) {
    for (const key of ['burst', 'refillMs', 'logIntervalMs', 'maxSources'] as const) {
      if (!(policy[key] > 0)) throw new RangeError(`auth throttle ${key} must be positive (got ${policy[key]})`);
    }
  }

  /**
   * Ms until `address` may try to authenticate again; 0 means now. Call before checking credentials;
   * a non-zero answer is itself counted as a refused attempt.
   */
  retryAfterMs(address: string | undefined): number {
    const source = this.sources.get(sourceKey(address));
    if (!source) return 0;
    this.refill(source);
    if (source.allowance >= 1) return 0;
    source.throttled++;
    this.armFlush();
    return Math.ceil((1 - source.allowance) * this.policy.refillMs);
  }

  /** `address` gave credentials that were refused, for `reason` (logged, never answered). */
  failed(address: string | undefined, reason: string): void {
    const key = sourceKey(address);
    const source = this.sources.get(key) ?? this.track(key);
    this.refill(source);
    source.allowance = Math.max(0, source.allowance - 1);
    source.failures++;
    const cut = reason.slice(0, MAX_REASON_CHARS);
    const shown = source.reasons.has(cut) || source.reasons.size < MAX_REASONS ? cut : 'other';
    source.reasons.set(shown, (source.reasons.get(shown) ?? 0) + 1);
    // Most recently failing last: the table forgets from the front.
    this.sources.delete(key);
    this.sources.set(key, source);
    this.armFlush();
  }

  /** Sources tracked now (bounded by `maxSources`; a source is forgotten once refilled and logged). */
  get tracked(): number {
    return this.sources.size;
  }

  /** Logs what is not logged yet and stops the timer (hub shutdown). */
  close(): void {
    if (this.flushTimer) this.clock.clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.flush();
  }

  private track(key: string): Source {
    if (this.sources.size >= this.policy.maxSources) {
      const [oldestKey, oldest] = this.sources.entries().next().value!;
      this.forgottenFailures += oldest.failures + oldest.throttled;
      this.sources.delete(oldestKey);
    }
    const source: Source = { allowance: this.policy.burst, at: this.clock.now(), failures: 0, throttled: 0, reasons: new Map() };
    this.sources.set(key, source);
    return source;
  }

  private refill(source: Source): void {
    const now = this.clock.now();
    source.allowance = Math.min(this.policy.burst, source.allowance + (now - source.at) / this.policy.refillMs);
    source.at = now;
  }

  private armFlush(): void {
    this.flushTimer ??= this.clock.setTimeout(() => {
      this.flushTimer = undefined;
      this.flush();
      // Sources still refilling are looked at again, so they are forgotten once full.
      if (this.sources.size > 0) this.armFlush();
    }, this.policy.logIntervalMs);
  }

  private flush(): void {
    for (const [key, source] of this.sources) {
      if (source.failures + source.throttled > 0) {
        this.log.warn(
          { remote: key, failures: source.failures, throttled: source.throttled, reasons: Object.fromEntries(source.reasons), periodMs: this.policy.logIntervalMs },
          'failed authentications',
        );
        source.failures = 0;
        source.throttled = 0;
        source.reasons.clear();
      }
      this.refill(source);
      if (source.allowance >= this.policy.burst) this.sources.delete(key);
    }
    if (this.forgottenFailures > 0) {
      this.log.warn({ failures: this.forgottenFailures, maxSources: this.policy.maxSources }, 'failed authentications from sources no longer tracked');
      this.forgottenFailures = 0;
    }
  }
}
