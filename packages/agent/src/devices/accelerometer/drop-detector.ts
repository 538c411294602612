import type { AccelSample } from './iio-scan.js';

/**
 * The drop detector, pure: samples in (time is each sample's `t`, in ms), drops out. A drop is what
 * the physics says it is:
 *
 *   1. free fall: the accelerometer measures (almost) nothing, |a| well under 1 g, because sensor and
 *      case fall together; for at least `minFallMs` (a fall that short is a terminal set down, not a
 *      drop; 200 ms is h = ½·g·t² ≈ 0.2 m);
 *   2. then, within `impactWithinMs` of the fall's end, an impact: |a| peaking at `impactG` or more;
 *   3. then rest: the terminal lies still, and gravity's direction gives its orientation.
 *
 * Carried, tapped, shaken or set down hard, a terminal never shows the first part long enough: a
 * hand's motion keeps |a| near 1 g, a tap is a peak without a fall, a shake crosses |a| = 0 for a few
 * ms at most, a terminal set down is lowered with a fraction of 1 g and stops at its lowest point.
 * Short spikes above the free-fall threshold while falling (noise, a tumbling case's centripetal
 * acceleration) are bridged for `gapMs`. The fall height is h = ½·g·t² of the fall's duration t.
 *
 * Invariants: `push` never throws for a value (NaN samples are skipped); state is bounded (no sample
 * history beyond the stillness window); a drop is reported once, when the terminal came to rest or
 * `settleMs` after the impact (orientation then "unknown").
 */

export interface DropDetectorOptions {
  freeFallG: number;
  minFallMs: number;
  /** Longest fall counted: longer is not a terminal falling off a counter (a lift, a sensor fault). */
  maxFallMs: number;
  gapMs: number;
  impactG: number;
  impactWithinMs: number;
  /** Still: every sample's |a| within `stillToleranceG` of 1 g, over `stillMs`. */
  stillMs: number;
  stillToleranceG: number;
  settleMs: number;
}

export const DEFAULT_DROP_DETECTOR: DropDetectorOptions = {
  freeFallG: 0.4,
  minFallMs: 200,
  maxFallMs: 1_200,
  gapMs: 15,
  impactG: 2.5,
  impactWithinMs: 60,
  stillMs: 500,
  stillToleranceG: 0.15,
  settleMs: 3_000,
};

export type Orientation = 'face_up' | 'face_down' | 'on_edge' | 'unknown';

export interface Drop {
  /** When the impact was (ms, the samples' time base). */
  impactAt: number;
  fallMs: number;
  heightM: number;
  peakG: number;
  orientation: Orientation;
}

const G = 9.80665;

/** h = ½·g·t², t in ms, rounded to the centimetre. */
export function fallHeightM(fallMs: number): number {
  const t = fallMs / 1000;
  return Math.round(0.5 * G * t * t * 100) / 100;
}

/** The face gravity points out of, from a resting sample: the screen (z) up, down, or the terminal on an edge. */
export function orientationOf(x: number, y: number, z: number): Orientation {
  const norm = Math.hypot(x, y, z);
  if (!(norm > 0.5)) return 'unknown';
  const cz = z / norm;
  if (cz > 0.8) return 'face_up';
  if (cz < -0.8) return 'face_down';
  return 'on_edge';
}

type Phase =
  | { kind: 'idle' }
  | { kind: 'falling'; start: number; lastLow: number }
  | { kind: 'awaiting_impact'; fallMs: number; fallEnd: number; peakG: number }
  | { kind: 'impact'; fallMs: number; impactAt: number; peakG: number; lastHigh: number };

export class DropDetector {
  private phase: Phase = { kind: 'idle' };
  /** Samples of the current still-window candidate: start time and the running sums of the axes. */
  private still: { since: number; n: number; sx: number; sy: number; sz: number } | null = null;

  constructor(private readonly options: DropDetectorOptions = DEFAULT_DROP_DETECTOR) {}

  /** Whether the terminal has lain still for the stillness window up to the last sample. */
  isStill(now: number): boolean {
    return this.still !== null && now - this.still.since >= this.options.stillMs;
  }

  /** The resting orientation of the still window; 'unknown' while moving. */
  orientation(now: number): Orientation {
    if (!this.isStill(now) || !this.still) return 'unknown';
    const { n, sx, sy, sz } = this.still;
    return orientationOf(sx / n, sy / n, sz / n);
  }

  /** Feeds one sample; returns the drop it completes, if any. */
  push(sample: AccelSample): Drop | null {
    const { x, y, z, t } = sample;
    const g = Math.hypot(x, y, z);
    if (!Number.isFinite(g) || !Number.isFinite(t)) return null;
    this.trackStillness(t, g, x, y, z);
    const o = this.options;
    const phase = this.phase;
    switch (phase.kind) {
      case 'idle':
        if (g < o.freeFallG) this.phase = { kind: 'falling', start: t, lastLow: t };
        return null;
      case 'falling': {
        if (g < o.freeFallG) {
          phase.lastLow = t;
          if (t - phase.start > o.maxFallMs) this.phase = { kind: 'idle' };
          return null;
        }
        if (t - phase.lastLow <= o.gapMs && g < o.impactG) return null;
        const fallMs = phase.lastLow - phase.start;
        if (fallMs < o.minFallMs) {
          this.phase = { kind: 'idle' };
          return null;
        }
        // The fall ends at the first sample above the threshold: that may already be the impact.
        this.phase = { kind: 'awaiting_impact', fallMs, fallEnd: phase.lastLow, peakG: g };
        return this.afterFall(t, g);
      }
      case 'awaiting_impact':
        phase.peakG = Math.max(phase.peakG, g);
        return this.afterFall(t, g);
      case 'impact':
        if (g > phase.peakG) phase.peakG = g;
        if (g >= o.impactG) phase.lastHigh = t;
        if (this.isStill(t)) return this.report(phase, this.orientation(t));
        if (t - phase.impactAt >= o.settleMs) return this.report(phase, 'unknown');
        return null;
    }
  }

  private afterFall(t: number, g: number): Drop | null {
    const phase = this.phase as Extract<Phase, { kind: 'awaiting_impact' }>;
    if (g >= this.options.impactG) {
      this.phase = { kind: 'impact', fallMs: phase.fallMs, impactAt: t, peakG: phase.peakG, lastHigh: t };
      // Stillness is judged after the impact only.
      this.still = null;
      return null;
    }
    // Caught, or slowed down without a blow: no drop.
    if (t - phase.fallEnd > this.options.impactWithinMs) this.phase = { kind: 'idle' };
    return null;
  }

  private report(phase: Extract<Phase, { kind: 'impact' }>, orientation: Orientation): Drop {
    this.phase = { kind: 'idle' };
    return { impactAt: phase.impactAt, fallMs: phase.fallMs, heightM: fallHeightM(phase.fallMs), peakG: Math.round(phase.peakG * 10) / 10, orientation };
  }

  /** Still: every sample of the window within the tolerance of 1 g (noise stays inside it, a hand's motion does not). */
  private trackStillness(t: number, g: number, x: number, y: number, z: number): void {
    if (Math.abs(g - 1) > this.options.stillToleranceG) {
      this.still = null;
      return;
    }
    const s = this.still;
    if (!s) {
      this.still = { since: t, n: 1, sx: x, sy: y, sz: z };
      return;
    }
    // The sums restart from their mean now and then, so they stay bounded and follow a slow turn.
    if (s.n >= 1_000) Object.assign(s, { n: 1, sx: s.sx / s.n, sy: s.sy / s.n, sz: s.sz / s.n });
    s.n++;
    s.sx += x;
    s.sy += y;
    s.sz += z;
  }
}
