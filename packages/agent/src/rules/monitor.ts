import type { DeviceIdentity, DriverAction, Observation, Readings } from '../core/readings.js';
import type { ReadingHistory } from './reading-history.js';
import type { FaultEvent } from '../faults/types.js';
import { unknownReadings } from './unknown-readings.js';

/** Self-recovery steps kept per source: enough for a report, bounded for a device that fails all day. */
const MAX_ACTIONS_PER_SOURCE = 20;
/** How long before a fault's `since` a step still counts as tried for it (a poll's step precedes its reading). */
export const STEPS_LOOKBACK_MS = 10 * 60_000;

/** The part of the rule engine the monitor needs. */
export interface Evaluator {
  evaluate(readings: Readings, now: number, unknown?: Iterable<string>): FaultEvent[];
}

/**
 * The live picture of the terminal: the latest readings of every source, merged, and the rule engine
 * evaluated over them each time a source reports. Each source's observation replaces that source's
 * previous readings whole, so a reading a device stops reporting disappears instead of going stale; one
 * it reports a problem for instead of a value is passed to the engine as unknown (unknown-readings.ts).
 */
export class Monitor {
  private readonly bySource = new Map<string, Readings>();
  private readonly latest = new Map<string, Observation>();
  private readonly unknownBySource = new Map<string, string[]>();
  private readonly identities = new Map<string, DeviceIdentity>();
  private readonly actions = new Map<string, DriverAction[]>();
  private merged: Readings = {};

  constructor(
    private readonly engine: Evaluator,
    private readonly onEvents: (events: FaultEvent[]) => void,
    /** Keeps recent merged readings for repair requests; recorded before evaluating. */
    private readonly history?: ReadingHistory,
  ) {}

  /** Records one observation of `source` (a driver name, or "agent") taken at `at`, then evaluates. */
  observe(source: string, observation: Observation, at: number): FaultEvent[] {
    // Raw protocol evidence (status bytes in hex) rides along as string readings the rules can cite.
    this.latest.set(source, observation);
    this.bySource.set(source, { ...observation.readings, ...observation.evidence });
    this.unknownBySource.set(source, unknownReadings(observation));
    if (observation.identity) this.identities.set(observation.identity.kind, observation.identity);
    // Recorded before evaluating, so a fault raised by this very observation already cites its steps.
    if (observation.actions?.length) {
      this.actions.set(source, [...(this.actions.get(source) ?? []), ...observation.actions].slice(-MAX_ACTIONS_PER_SOURCE));
    }
    this.merged = Object.assign({}, ...this.bySource.values());
    this.history?.record(this.merged, at);
    const events = this.engine.evaluate(this.merged, at, [...this.unknownBySource.values()].flat());
    if (events.length) this.onEvents(events);
    return events;
  }

  readings(): Readings {
    return this.merged;
  }

  /** The latest observation of each source, as it was given (the self-test takes the pipeline's own sources from here). */
  observations(): ReadonlyMap<string, Observation> {
    return this.latest;
  }

  identity(kind: string): DeviceIdentity | null {
    return this.identities.get(kind) ?? null;
  }

  /**
   * The self-recovery steps `source` reported for a fault: those aimed at a reading the fault's rule
   * looked at (its evidence), made at most STEPS_LOOKBACK_MS before the fault's `since`, oldest first.
   */
  stepsTried(source: string, event: Pick<FaultEvent, 'since' | 'evidence'>): DriverAction[] {
    const cited = new Set(Object.keys(event.evidence));
    return (this.actions.get(source) ?? []).filter(
      (a) => Date.parse(a.at) >= event.since - STEPS_LOOKBACK_MS && a.readings.some((r) => cited.has(r)),
    );
  }
}
