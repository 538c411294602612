/**
 * Silences, as Alertmanager's: matchers, a time span, who made it and why. While active
 * (`startsAt <= now < endsAt`) a silence mutes every alert its matchers match: the dispatcher leaves
 * muted alerts out of what it sends but keeps them in their groups, so when the silence ends a still-firing
 * alert is news again and goes out at the group's next flush. They live in the store (made and expired
 * through the API, silence-api.ts); each hub's dispatcher mutes by the copy it last read. Pure: time is an argument.
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

/** Throws a SilenceError saying what is wrong: a silence must name a matcher, a maker and a reason, and end after it starts. */
export function checkSilence(input: SilenceInput): void {
  if (Object.keys(input.matchers).length === 0) throw new SilenceError('a silence needs at least one matcher (it would mute every alert)');
  if (!(input.endsAt > input.startsAt)) throw new SilenceError('a silence must end after it starts');
  if (!input.createdBy.trim()) throw new SilenceError('a silence needs createdBy');
  if (!input.comment.trim()) throw new SilenceError('a silence needs a comment saying why');
}

/** The silences a dispatcher mutes by: the store's, as last read (notify/silence-sync.ts). */
export class Silences {
  private all: readonly Silence[] = [];

  replace(silences: readonly Silence[]): void {
    this.all = silences;
  }

  /** Every silence, with its state at `now`, in the order they were made. */
  list(now: number): (Silence & { state: SilenceState })[] {
    return this.all.map((s) => ({ ...s, state: silenceState(s, now) }));
  }

  /** The ids of the silences muting an alert with these labels at `now` (empty: not muted). */
  muting(labels: Labels, now: number): string[] {
    const ids: string[] = [];
    for (const s of this.all) if (silenceState(s, now) === 'active' && matches(s.matchers, labels)) ids.push(s.id);
    return ids;
  }
}
