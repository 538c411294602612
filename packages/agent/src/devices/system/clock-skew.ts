import type { Clock } from 'posdiag-protocol';
import type { Observation } from '../../core/readings.js';

/** How far this terminal's clock is off, as last measured against a trusted reference. */
export interface ClockSkew {
  /** Local time − reference time, in seconds: positive when this terminal is ahead. */
  skewS: number;
  /** Which reference, e.g. "hub" or "target:acquirer". */
  source: string;
}

/**
 * Keeps the latest reference time (the hub's `welcome.serverTime`, a target's HTTP `Date`) and turns it
 * into a skew whenever asked. No driver reads it: the pipeline (pipeline.ts) hands it the hub's welcome
 * and the network driver's `clock_reference` device events, and gives the monitor its `observation()`
 * as a source of its own, at each reference and on a steady cadence; the `system.clock_skew` rule
 * judges the reading like any other.
 *
 * It lives in the system family's folder, not beside the pipeline, because what it produces is the
 * family's: the `system.clock_skew_s` reading and `system.clock_reference` evidence, the rule that judges
 * them and the catalog text all sit here; the pipeline owns only when it is fed and read.
 *
 * Precedence: none by source — the latest observation wins. The hub is observed at each (re)connect,
 * TLS targets at every network poll, so between reconnects the reading usually names a target
 * (`system.clock_reference` says which). Every reference is a server we already trust with payments.
 *
 * Invariant: the reference is carried forward on a monotonic clock, not the wall clock, so a later
 * wall-clock jump (NTP finally syncing, someone setting the date) shows up in the skew at the next read
 * instead of waiting for the next reference. Transit delay is corrected only where the sender measured
 * it (`localAtMs`); elsewhere it is milliseconds against a 300 s threshold.
 */
export class ClockSkewTracker {
  private readonly clock: Clock;
  private readonly monotonic: () => number;
  private latest: { source: string; referenceMs: number; monotonicAt: number } | undefined;

  /** `monotonic` defaults to performance.now(); tests pass a counter of their own. */
  constructor(options: { clock: Clock; monotonic?: () => number }) {
    this.clock = options.clock;
    this.monotonic = options.monotonic ?? (() => performance.now());
  }

  observe(source: string, referenceMs: number, localAtMs?: number): void {
    // How long ago, on the wall clock, the reference was read; carried over to the monotonic clock.
    const ageMs = localAtMs === undefined ? 0 : this.clock.now() - localAtMs;
    if (Number.isFinite(referenceMs) && Number.isFinite(ageMs)) {
      this.latest = { source, referenceMs, monotonicAt: this.monotonic() - ageMs };
    }
  }

  /** An ISO 8601 time (`welcome.serverTime`) or an HTTP `Date` header; false (and ignored) if it does not parse. */
  observeText(source: string, text: string): boolean {
    const ms = Date.parse(text);
    if (Number.isNaN(ms)) return false;
    this.observe(source, ms);
    return true;
  }

  current(): ClockSkew | undefined {
    if (!this.latest) return undefined;
    const referenceNow = this.latest.referenceMs + (this.monotonic() - this.latest.monotonicAt);
    return { skewS: Math.round((this.clock.now() - referenceNow) / 100) / 10, source: this.latest.source };
  }

  /** The skew now, as the monitor takes it: the reading and which reference as evidence; nothing before the first. */
  observation(): Observation {
    const skew = this.current();
    if (!skew) return { readings: {} };
    return { readings: { 'system.clock_skew_s': skew.skewS }, evidence: { 'system.clock_reference': skew.source } };
  }
}
