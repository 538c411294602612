import type { AccelSample } from '../iio-scan.js';
import type { Orientation } from '../drop-detector.js';

/**
 * Accelerometer traces generated from the physics of what happens to a terminal, with sensor noise,
 * for the drop detector's tests, its rate script and the demo. What an accelerometer measures is the
 * specific force (acceleration minus gravity), in g, in the terminal's frame: lying face up it reads
 * (0, 0, +1); falling freely it reads only what the case's tumbling adds (ω²·r at the sensor's
 * distance from the centre of mass); an impact is a half-sine pulse whose peak follows from the speed
 * at impact, √(2gh), and the pulse's duration.
 *
 * The sensor: the force averaged over each sample interval (its low-pass), Gaussian noise per axis,
 * clipped to its range. Everything random comes from one seeded PRNG, so a seed is a trace.
 */

export const G = 9.80665;

/** mulberry32: small, fast, good enough for test traces; the same seed gives the same sequence. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SensorModel {
  rateHz: number;
  noiseG: number;
  rangeG: number;
}

export const DEFAULT_SENSOR: SensorModel = { rateHz: 200, noiseG: 0.03, rangeG: 16 };

export type TraceKind = 'drop' | 'carried' | 'tapped' | 'set_down_hard' | 'shaken';
export const TRACE_KINDS: readonly TraceKind[] = ['drop', 'carried', 'tapped', 'set_down_hard', 'shaken'];

export interface Trace {
  kind: TraceKind;
  samples: AccelSample[];
  /** Set for a drop: when it hit (ms from the trace's start), from how high, and how it came to rest. */
  drop?: { impactAt: number; heightM: number; orientation: Orientation };
}

type Vec = [number, number, number];
/** The specific force at time t (s from the segment's start), in g. */
type Force = (t: number) => Vec;
interface Segment {
  seconds: number;
  force: Force;
}

const UP: Record<Exclude<Orientation, 'unknown'>, Vec> = { face_up: [0, 0, 1], face_down: [0, 0, -1], on_edge: [1, 0, 0] };

const add = (a: Vec, b: Vec): Vec => [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
const scale = (a: Vec, k: number): Vec => [a[0] * k, a[1] * k, a[2] * k];

/** A unit vector near `base`, tilted by up to `maxTilt` radians (a hand never holds it level). */
function tilted(base: Vec, maxTilt: number, random: () => number): Vec {
  const a = (random() - 0.5) * 2 * maxTilt;
  const b = (random() - 0.5) * 2 * maxTilt;
  const v: Vec = [base[0] + Math.sin(a), base[1] + Math.sin(b), base[2]];
  const n = Math.hypot(...v);
  return scale(v, 1 / n);
}

/** Resting (or held) with gravity along `up`, plus a hand's tremor when held. */
function rest(seconds: number, up: Vec, tremorG = 0): Segment {
  return { seconds, force: (t) => add(up, [tremorG * Math.sin(2 * Math.PI * 8 * t), tremorG * Math.sin(2 * Math.PI * 5.3 * t + 1), tremorG * Math.sin(2 * Math.PI * 7.1 * t + 2)]) };
}

/** A half-sine pulse of `peakG` lasting `ms`, along `dir`, on top of `base`. */
function pulse(base: Vec, dir: Vec, peakG: number, ms: number, after = 0.05): Segment {
  const d = ms / 1000;
  return { seconds: d + after, force: (t) => (t < d ? add(base, scale(dir, peakG * Math.sin((Math.PI * t) / d))) : base) };
}

/** Falling freely while tumbling at `omega` rad/s, the sensor `radiusM` from the centre: only ω²r is felt. */
function freeFall(seconds: number, omega: number, radiusM: number): Segment {
  const c = (omega * omega * radiusM) / G;
  return { seconds, force: (t) => [c * Math.cos(omega * t), c * Math.sin(omega * t), 0] };
}

function between(random: () => number, lo: number, hi: number): number {
  return lo + (hi - lo) * random();
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

/** The impact's peak from the speed it hit with and the pulse's length: ∫ half-sine = v, so peak = π·v/(2·d). */
function impactPeakG(heightM: number, pulseMs: number): number {
  const v = Math.sqrt(2 * G * heightM);
  return (Math.PI * v) / (2 * (pulseMs / 1000)) / G;
}

/** A drop from `heightM`: held, let go, tumbling in free fall, an impact, a bounce or two, then at rest. */
function dropSegments(random: () => number, heightM: number, orientation: Exclude<Orientation, 'unknown'>): { segments: Segment[]; impactAfterS: number } {
  const held = tilted([0, 0, 1], 0.3, random);
  const fallS = Math.sqrt((2 * heightM) / G);
  const finalUp = tilted(UP[orientation], 0.05, random);
  const pulseMs = between(random, 4, 15);
  const heldS = between(random, 0.8, 1.5);
  const segments: Segment[] = [rest(heldS, held, 0.04), freeFall(fallS, between(random, 0, 8), 0.04), pulse(finalUp, finalUp, impactPeakG(heightM, pulseMs), pulseMs, 0)];
  // Bounces: restitution 0.2-0.4, each a short flight and a smaller blow.
  let h = heightM;
  for (let bounce = 0, n = Math.floor(between(random, 0, 3)); bounce < n; bounce++) {
    h *= between(random, 0.04, 0.16);
    const flightS = 2 * Math.sqrt((2 * h) / G);
    if (flightS < 0.01) break;
    segments.push(freeFall(flightS, between(random, 0, 10), 0.04), pulse(finalUp, finalUp, impactPeakG(h, pulseMs), pulseMs, 0));
  }
  segments.push(rest(between(random, 1.5, 3), finalUp));
  return { segments, impactAfterS: heldS + fallS };
}

/** Walking with it in hand: steps at ~2 Hz lift and drop it ±0.2-0.4 g, with sway and a turn of the wrist. */
function carriedSegments(random: () => number): Segment[] {
  const up = tilted([0, 0, 1], 0.5, random);
  const stepHz = between(random, 1.6, 2.4);
  const bob = between(random, 0.2, 0.4);
  const sway = between(random, 0.05, 0.15);
  const seconds = between(random, 4, 8);
  const walk: Segment = {
    seconds,
    force: (t) => add(up, [sway * Math.sin(Math.PI * stepHz * t), sway * 0.5 * Math.cos(Math.PI * stepHz * t), bob * Math.sin(2 * Math.PI * stepHz * t)]),
  };
  // Picked up first: a lift accelerates up (more than 1 g), then slows (less).
  const lift = between(random, 0.2, 0.5);
  const pickUp: Segment = { seconds: 0.4, force: (t) => add(up, scale(up, t < 0.2 ? lift : -lift)) };
  return [rest(0.5, UP.face_up), pickUp, walk, rest(0.5, up, 0.03)];
}

/** Lying on the counter, tapped and keyed on: short blows of 2-8 g, never a fall. */
function tappedSegments(random: () => number): Segment[] {
  const segments: Segment[] = [rest(0.6, UP.face_up)];
  for (let i = 0, n = 3 + Math.floor(random() * 8); i < n; i++) {
    segments.push(pulse(UP.face_up, [0, 0, -1], between(random, 2, 8), between(random, 1, 4)), rest(between(random, 0.1, 0.5), UP.face_up));
  }
  segments.push(rest(1, UP.face_up));
  return segments;
}

/**
 * Put down hard: lowered (a hand accelerates it down at 0.1-0.5 g, so it reads 0.5-0.9 g), maybe let
 * go a few centimetres above the counter (a fall under 0.1 s), then a blow of 3-10 g.
 */
function setDownHardSegments(random: () => number): Segment[] {
  const held = tilted([0, 0, 1], 0.2, random);
  const down = between(random, 0.1, 0.5);
  const lowerS = between(random, 0.1, 0.3);
  const slowS = between(random, 0, 0.1);
  const releaseM = random() < 0.5 ? between(random, 0, 0.05) : 0;
  const segments: Segment[] = [rest(between(random, 0.5, 1), held, 0.04), { seconds: lowerS, force: () => scale(held, 1 - down) }];
  if (slowS > 0) segments.push({ seconds: slowS, force: () => scale(held, 1 + down * 0.5) });
  if (releaseM > 0) segments.push(freeFall(Math.sqrt((2 * releaseM) / G), between(random, 0, 3), 0.04));
  segments.push(pulse(UP.face_up, UP.face_up, between(random, 3, 10), between(random, 3, 12), 0), rest(1.5, UP.face_up));
  return segments;
}

/** Shaken (a merchant shaking a frozen terminal, a paper roll jammed): 3-6 Hz, 1-3 g along a random axis. */
function shakenSegments(random: () => number): Segment[] {
  const axis = tilted(pick(random, [[1, 0, 0], [0, 1, 0], [0, 0, 1]] as Vec[]), 0.5, random);
  const up = tilted([0, 0, 1], 0.4, random);
  const hz = between(random, 3, 6);
  const amplitude = between(random, 1, 3);
  const shake: Segment = { seconds: between(random, 1.5, 3), force: (t) => add(up, scale(axis, amplitude * Math.sin(2 * Math.PI * hz * t))) };
  return [rest(0.5, up, 0.03), shake, rest(1, UP.face_up)];
}

/**
 * The sensor's view of `segments`: the force integrated at 4 kHz and averaged per sample (its
 * low-pass), noise added, clipped to its range. `t0` is the first sample's time in ms.
 */
function sample(segments: Segment[], sensor: SensorModel, random: () => number, t0: number): AccelSample[] {
  const fine = 4_000;
  const perSample = Math.max(1, Math.round(fine / sensor.rateHz));
  const forces: Vec[] = [];
  for (const segment of segments) {
    const n = Math.round(segment.seconds * fine);
    for (let i = 0; i < n; i++) forces.push(segment.force(i / fine));
  }
  const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const clip = (v: number) => Math.max(-sensor.rangeG, Math.min(sensor.rangeG, v));
  const out: AccelSample[] = [];
  for (let i = 0; i + perSample <= forces.length; i += perSample) {
    let sx = 0;
    let sy = 0;
    let sz = 0;
    for (let j = i; j < i + perSample; j++) {
      sx += forces[j]![0];
      sy += forces[j]![1];
      sz += forces[j]![2];
    }
    out.push({
      t: t0 + (out.length * 1000) / sensor.rateHz,
      x: clip(sx / perSample + gauss() * sensor.noiseG),
      y: clip(sy / perSample + gauss() * sensor.noiseG),
      z: clip(sz / perSample + gauss() * sensor.noiseG),
    });
  }
  return out;
}

/** One trace of `kind` from `seed`; drops from 0.3-1.5 m (a terminal's life: a counter, a hand, a pocket). */
export function generateTrace(kind: TraceKind, seed: number, options: { sensor?: SensorModel; t0?: number; heightM?: number } = {}): Trace {
  const random = seededRandom(seed);
  const sensor = options.sensor ?? DEFAULT_SENSOR;
  const t0 = options.t0 ?? 0;
  if (kind === 'drop') {
    const heightM = options.heightM ?? between(random, 0.3, 1.5);
    const orientation = pick(random, ['face_up', 'face_up', 'face_down', 'on_edge'] as const);
    const { segments, impactAfterS } = dropSegments(random, heightM, orientation);
    return { kind, samples: sample(segments, sensor, random, t0), drop: { impactAt: t0 + impactAfterS * 1000, heightM, orientation } };
  }
  const segments = kind === 'carried' ? carriedSegments(random) : kind === 'tapped' ? tappedSegments(random) : kind === 'set_down_hard' ? setDownHardSegments(random) : shakenSegments(random);
  return { kind, samples: sample(segments, sensor, random, t0) };
}

/** `count` traces of every kind in turn (seeds from `seed`), back to back on one time line. */
export function generateTraces(count: number, seed: number, sensor: SensorModel = DEFAULT_SENSOR): Trace[] {
  const traces: Trace[] = [];
  let t0 = 0;
  for (let i = 0; i < count; i++) {
    const trace = generateTrace(TRACE_KINDS[i % TRACE_KINDS.length]!, seed + i * 7919, { sensor, t0 });
    traces.push(trace);
    t0 = trace.samples[trace.samples.length - 1]!.t + 1000 / sensor.rateHz;
  }
  return traces;
}
