/**
 * Silences, as Alertmanager's: matchers, a time span, who made it and why. While active
 * (`startsAt <= now < endsAt`) a silence mutes every alert its matchers match: the dispatcher leaves
 * muted alerts out of what it sends but keeps them in their groups, so when the silence ends a still-firing
 * alert is news again and goes out at the group's next flush. Pure and in memory: time is an argument.
 */
import { matches, type Matchers } from './matchers.js';
import type { Labels } from './group-notice.js';

export interface SilenceInput {
  matchers: Matchers;
  startsAt: number;
  endsAt: number;
  createdBy: string;
  comment: string;
}

export interface Silence extends SilenceInput {
  id: string;
}

export type SilenceState = 'pending' | 'active' | 'expired';

export class SilenceError extends Error {
  override name = 'SilenceError';
}

export function silenceState(silence: Silence, now: number): SilenceState {
  if (now < silence.startsAt) return 'pending';
  return now < silence.endsAt ? 'active' : 'expired';
}

export class Silences {
  private readonly byId = new Map<string, Silence>();
  private nextId = 1;

  /** Adds a silence and returns it with its id. A silence must name a matcher, a maker and a reason. */
  add(input: SilenceInput): Silence {
    if (Object.keys(input.matchers).length === 0) throw new SilenceError('a silence needs at least one matcher (it would mute every alert)');
    if (!(input.endsAt > input.startsAt)) throw new SilenceError('a silence must end after it starts');
    if (!input.createdBy.trim()) throw new SilenceError('a silence needs createdBy');
    if (!input.comment.trim()) throw new SilenceError('a silence needs a comment saying why');
    const silence = { ...input, id: `s${this.nextId++}` };
    this.byId.set(silence.id, silence);
    return silence;
  }

  /** Ends a silence at `now` (a pending one never starts). Returns false if there is no such silence. */
  expire(id: string, now: number): boolean {
    const silence = this.byId.get(id);
    if (!silence) return false;
    if (silenceState(silence, now) === 'expired') return true;
    this.byId.set(id, { ...silence, startsAt: Math.min(silence.startsAt, now), endsAt: now });
    return true;
  }

  /** Every silence, with its state at `now`, in the order they were made. */
  list(now: number): (Silence & { state: SilenceState })[] {
    return [...this.byId.values()].map((s) => ({ ...s, state: silenceState(s, now) }));
  }

  /** The ids of the silences muting an alert with these labels at `now` (empty: not muted). */
  muting(labels: Labels, now: number): string[] {
    const ids: string[] = [];
    for (const s of this.byId.values()) if (silenceState(s, now) === 'active' && matches(s.matchers, labels)) ids.push(s.id);
    return ids;
  }
}
