import type { DeviceIdentity, Observation, Readings } from '../core/readings.js';
import type { FaultEvent } from './types.js';

/** The part of the rule engine the monitor needs. */
export interface Evaluator {
  evaluate(readings: Readings, now: number): FaultEvent[];
}

/**
 * The live picture of the terminal: the latest readings of every source, merged, and the rule engine
 * evaluated over them each time a source reports. Each source's observation replaces that source's
 * previous readings whole, so a reading a device stops reporting disappears instead of going stale.
 */
export class Monitor {
  private readonly bySource = new Map<string, Readings>();
  private readonly identities = new Map<string, DeviceIdentity>();
  private merged: Readings = {};

  constructor(
    private readonly engine: Evaluator,
    private readonly onEvents: (events: FaultEvent[]) => void,
  ) {}

  /** Records one observation of `source` (a driver name, or "agent") taken at `at`, then evaluates. */
  observe(source: string, observation: Observation, at: number): FaultEvent[] {
    // Raw protocol evidence (status bytes in hex) rides along as string readings the rules can cite.
    this.bySource.set(source, { ...observation.readings, ...observation.evidence });
    if (observation.identity) this.identities.set(observation.identity.kind, observation.identity);
    this.merged = Object.assign({}, ...this.bySource.values());
    const events = this.engine.evaluate(this.merged, at);
    if (events.length) this.onEvents(events);
    return events;
  }

  readings(): Readings {
    return this.merged;
  }

  identity(kind: string): DeviceIdentity | null {
    return this.identities.get(kind) ?? null;
  }
}
