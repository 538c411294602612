import type { Drop } from '../drop-detector.js';
import { TRACE_KINDS, type Trace, type TraceKind } from './motion-traces.js';

/** A detected drop matches a trace's drop when its impact is this close to the generated one. */
const MATCH_MS = 100;

export interface DetectorRates {
  traces: number;
  drops: number;
  missed: number;
  /** Non-drop traces in which a drop was reported. */
  falsePositives: number;
  nonDrops: number;
  missRate: number;
  falsePositiveRate: number;
  /** Per kind of trace: how many, and how many were judged wrongly. */
  byKind: Record<TraceKind, { traces: number; wrong: number }>;
  /** Largest error of the estimated fall height over the matched drops, in metres. */
  worstHeightErrorM: number;
}

/**
 * Scores detected drops against generated traces laid back to back on one time line: a drop trace is
 * missed without a detection near its impact; any other trace with a detection inside it is a false
 * positive.
 */
export function scoreDetections(traces: readonly Trace[], detected: readonly Drop[]): DetectorRates {
  const byKind = Object.fromEntries(TRACE_KINDS.map((k) => [k, { traces: 0, wrong: 0 }])) as DetectorRates['byKind'];
  let missed = 0;
  let falsePositives = 0;
  let worstHeightErrorM = 0;
  for (const trace of traces) {
    const start = trace.samples[0]!.t;
    const end = trace.samples[trace.samples.length - 1]!.t;
    const inside = detected.filter((d) => d.impactAt >= start && d.impactAt <= end);
    byKind[trace.kind].traces++;
    if (trace.drop) {
      const hit = inside.find((d) => Math.abs(d.impactAt - trace.drop!.impactAt) <= MATCH_MS);
      if (!hit) {
        missed++;
        byKind.drop.wrong++;
      } else worstHeightErrorM = Math.max(worstHeightErrorM, Math.abs(hit.heightM - trace.drop.heightM));
    } else if (inside.length > 0) {
      falsePositives++;
      byKind[trace.kind].wrong++;
    }
  }
  const drops = traces.filter((t) => t.drop).length;
  const nonDrops = traces.length - drops;
  return {
    traces: traces.length,
    drops,
    missed,
    falsePositives,
    nonDrops,
    missRate: drops ? missed / drops : 0,
    falsePositiveRate: nonDrops ? falsePositives / nonDrops : 0,
    byKind,
    worstHeightErrorM: Math.round(worstHeightErrorM * 100) / 100,
  };
}
