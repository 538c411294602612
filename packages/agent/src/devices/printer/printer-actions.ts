import type { Clock } from 'posdiag-protocol';
import type { DriverAction, Observation } from '../../core/readings.js';

/**
 * Self-recovery attempts waiting to ride on the driver's next observation (Observation.actions).
 * Bounded: a printer that stays unplugged for a day must not grow memory; the oldest go first.
 */
export class ActionLog {
  private pending: DriverAction[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly max = 20,
  ) {}

  record(action: string, ok: boolean, readings: string[], detail?: string): void {
    const entry: DriverAction = { action, at: new Date(this.clock.now()).toISOString(), ok, readings };
    if (detail !== undefined) entry.detail = detail.slice(0, 500);
    this.pending.push(entry);
    if (this.pending.length > this.max) this.pending.shift();
  }

  /** `observation` with every pending action attached (and the log emptied). */
  attach(observation: Observation): Observation {
    if (this.pending.length === 0) return observation;
    const actions = [...(observation.actions ?? []), ...this.pending];
    this.pending = [];
    return { ...observation, actions };
  }
}
