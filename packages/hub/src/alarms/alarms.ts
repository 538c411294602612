import type { Clock, Report } from 'posdiag-protocol';
import type { StoredMeta } from '../agent-socket.js';
import type { PresenceEvent } from '../fleet/terminal-presence.js';
import type { Logger } from '../logger.js';
import type { AlarmStore, StoredReport } from '../store/store.js';
import { SILENT_CODE, SYSTEM_ACTOR, type AlarmLogEntry, type AlarmRecord, type AlarmWrite } from './alarm.js';
import { AlarmEvents, type AlarmEvent } from './alarm-events.js';
import { act, clear, raise, type Action } from './transitions.js';

/** What a change's log says happened, as the event's type: the first history entry names it. */
function eventType(log: readonly AlarmLogEntry[]): AlarmEvent['type'] {
  return log.find((e) => e.kind === 'history')!.action as AlarmEvent['type'];
}

/**
 * The hub's alarms: made from stored fault reports and from the terminals' presence, worked by
 * operators through the API. Reports and presence events are applied one at a time, in the order they
 * came (a chain): a raise and its clear stored in one group commit are applied in that order.
 *
 * terminal.silent: raised by the presence `silent` event of the one hub that ran the fleet's silence
 * check, cleared by `back`. The clear can never be lost to a race: `back` clears whatever open alarm the
 * terminal has, in whatever state; and a `silent` applied after its `back` (another hub, a slow chain)
 * raises nothing, because the raise is decided in the alarm's transaction against the terminal's
 * presence: a terminal heard after the silence's lastHeard is back already.
 */
export class Alarms {
  readonly events: AlarmEvents;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: AlarmStore,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    this.events = new AlarmEvents((err) => log.error({ err: (err as Error).message }, 'alarm listener threw'));
  }

  /** The agent socket's `stored` hook: a raised, uninhibited fault raises; its clear clears; a stale report changes nothing. */
  stored(row: StoredReport, meta: StoredMeta): void {
    if (row.kind !== 'fault' || !(meta.alert || meta.cleared)) return;
    this.enqueue(() => this.applyFault(row, meta.alert));
  }

  /** TerminalPresence's onChange. */
  presence(event: PresenceEvent): void {
    this.enqueue(() => this.applyPresence(event));
  }

  /** Resolves once everything given so far has been applied. */
  async flushed(): Promise<void> {
    let seen: Promise<void>;
    do {
      seen = this.chain;
      await seen;
    } while (seen !== this.chain);
  }

  /** An operator's action: the alarm as it now is; undefined when there is no such alarm; throws ActionConflict. */
  async act(id: number, action: Action, actor: string): Promise<AlarmRecord | undefined> {
    const now = this.clock.now();
    let type: AlarmEvent['type'] = action.action;
    const written = await this.store.updateById(id, (current) => {
      const w = act(current, action, actor, now);
      type = eventType(w.log);
      return w;
    });
    if (written) this.events.emit({ type, alarm: written, actor });
    return written ?? undefined;
  }

  private enqueue(apply: () => Promise<void>): void {
    this.chain = this.chain.then(apply).catch((err: unknown) => this.log.error({ err: (err as Error).message }, 'alarm not updated'));
  }

  private async applyFault(report: Extract<Report, { kind: 'fault' }>, raised: boolean): Promise<void> {
    const now = this.clock.now();
    const key = { terminal: report.terminal, code: report.code, instance: report.instance };
    await this.change(key, (current) =>
      raised
        ? raise(current, { ...key, severity: report.severity, category: report.category, since: Date.parse(report.since), seq: report.seq, reportId: report.id }, now)
        : clear(current, report.seq, now),
    );
  }

  private async applyPresence(event: PresenceEvent): Promise<void> {
    const now = this.clock.now();
    const key = { terminal: event.terminal, code: SILENT_CODE, instance: null };
    const heardMs = Date.parse(event.lastHeard);
    if (event.type === 'back') return this.change(key, (current) => clear(current, null, now));
    await this.change(key, (current, lastHeard) => {
      if (lastHeard !== null && lastHeard > heardMs) return null;
      // The same silence announced again (a repeat of one event) is not a new raise.
      if (current?.status === 'active' && current.since === heardMs) return null;
      return raise(current, { ...key, severity: 'major', category: 'network', since: heardMs, seq: null, reportId: null }, now);
    });
  }

  private async change(key: { terminal: string; code: string; instance: string | null }, decide: (current: AlarmRecord | undefined, lastHeard: number | null) => AlarmWrite | null): Promise<void> {
    let type: AlarmEvent['type'] | undefined;
    const written = await this.store.updateOpen(key, (current, lastHeard) => {
      const w = decide(current, lastHeard);
      if (w) type = eventType(w.log);
      return w;
    });
    if (written && type) this.events.emit({ type, alarm: written, actor: SYSTEM_ACTOR });
  }
}
