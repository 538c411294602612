import type { Category, Severity } from 'posdiag-protocol';
import { SYSTEM_ACTOR, type AlarmLogEntry, type AlarmRecord, type AlarmWrite } from './alarm.js';

/**
 * How an alarm changes, as pure functions of its current state: each returns what to write (the new
 * state and its log entries) or null when nothing changes. The store runs them inside one transaction
 * with the alarm locked, so two changes never interleave. Every change leaves a history entry; every
 * change but a repeated raise also leaves a system comment (a flapping fault would drown the operators'
 * comments otherwise).
 */

export type Current = Omit<AlarmRecord, 'id'> | undefined;

export interface Raise {
  terminal: string;
  code: string;
  instance: string | null;
  severity: Severity;
  category: Category;
  since: number;
  /** The fault report's seq and id; null for terminal.silent. */
  seq: number | null;
  reportId: string | null;
}

const history = (at: number, actor: string, action: string, detail: object): AlarmLogEntry => ({ at, actor, kind: 'history', action, detail: JSON.stringify(detail) });
const systemComment = (at: number, actor: string, text: string): AlarmLogEntry => ({ at, actor, kind: 'comment', action: 'system', detail: text });
const isOlder = (current: NonNullable<Current>, seq: number | null) => seq !== null && current.lastSeq !== null && seq <= current.lastSeq;

/**
 * A raise creates the alarm, repeats it (count and lastSeen, never a second alarm) or re-activates a
 * cleared one that is not closed: it is active and unacknowledged again (a new occurrence needs an
 * operator's attention, and escalations that stopped at the ack start again), keeping its id, onset,
 * assignee and log. A report older than the one applied changes nothing.
 */
export function raise(current: Current, r: Raise, now: number): AlarmWrite | null {
  if (!current) {
    const alarm = {
      terminal: r.terminal,
      code: r.code,
      instance: r.instance,
      severity: r.severity,
      severitySetBy: null,
      category: r.category,
      status: 'active' as const,
      acknowledged: false,
      assignee: null,
      since: r.since,
      lastSeen: now,
      clearedAt: null,
      closedAt: null,
      count: 1,
      lastSeq: r.seq,
      reportId: r.reportId,
      remindedAt: null,
      createdAt: now,
    };
    return { alarm, log: [history(now, SYSTEM_ACTOR, 'raised', { severity: r.severity, since: new Date(r.since).toISOString(), reportId: r.reportId }), systemComment(now, SYSTEM_ACTOR, `Raised (${r.severity})`)] };
  }
  if (isOlder(current, r.seq)) return null;
  const severity = current.severitySetBy === null ? r.severity : current.severity;
  const next = { ...current, severity, category: r.category, lastSeen: now, count: current.count + 1, lastSeq: r.seq ?? current.lastSeq };
  if (current.status === 'active') {
    return { alarm: next, log: [history(now, SYSTEM_ACTOR, 'repeated', { count: next.count, ...(severity !== current.severity ? { severity: [current.severity, severity] } : {}) })] };
  }
  const reactivated = { ...next, status: 'active' as const, acknowledged: false, clearedAt: null, remindedAt: null };
  return {
    alarm: reactivated,
    log: [history(now, SYSTEM_ACTOR, 'reactivated', { count: next.count, acknowledged: [current.acknowledged, false] }), systemComment(now, SYSTEM_ACTOR, 'Raised again after it had cleared')],
  };
}

/** A clear applies to the alarm whatever its acknowledgement; an already cleared one, or an older report, changes nothing. */
export function clear(current: Current, seq: number | null, now: number): AlarmWrite | null {
  if (!current || current.status === 'cleared' || isOlder(current, seq)) return null;
  return {
    alarm: { ...current, status: 'cleared', clearedAt: now, lastSeq: seq ?? current.lastSeq },
    log: [history(now, SYSTEM_ACTOR, 'cleared', { status: ['active', 'cleared'] }), systemComment(now, SYSTEM_ACTOR, 'Cleared')],
  };
}

export type Action =
  | { action: 'ack'; comment?: string }
  | { action: 'unack'; comment?: string }
  | { action: 'close'; comment?: string }
  | { action: 'comment'; comment: string }
  | { action: 'assign'; user: string | null; comment?: string }
  | { action: 'severity'; severity: Severity; comment?: string };

/** Why an action was refused: the API's 409. */
export class ActionConflict extends Error {}

/** An operator's action; throws ActionConflict when it makes no sense in the alarm's state (closing twice). */
export function act(current: NonNullable<Current>, a: Action, actor: string, now: number): AlarmWrite {
  if (current.closedAt !== null && a.action !== 'comment') throw new ActionConflict(`alarm is closed: ${a.action} is not possible`);
  const log: AlarmLogEntry[] = [];
  const note = (text: string) => log.push(systemComment(now, SYSTEM_ACTOR, `${text} by ${actor}`));
  let next = current;
  switch (a.action) {
    case 'ack':
    case 'unack': {
      const acknowledged = a.action === 'ack';
      if (current.acknowledged === acknowledged) throw new ActionConflict(`alarm is ${acknowledged ? 'already' : 'not'} acknowledged`);
      next = { ...current, acknowledged };
      log.push(history(now, actor, a.action, { acknowledged: [current.acknowledged, acknowledged] }));
      note(acknowledged ? 'Acknowledged' : 'Acknowledgement withdrawn');
      break;
    }
    case 'close':
      next = { ...current, closedAt: now, status: 'cleared', clearedAt: current.clearedAt ?? now };
      log.push(history(now, actor, 'close', { closed: true, ...(current.status === 'active' ? { status: ['active', 'cleared'] } : {}) }));
      note('Closed');
      break;
    case 'assign':
      next = { ...current, assignee: a.user };
      log.push(history(now, actor, 'assign', { assignee: [current.assignee, a.user] }));
      note(a.user === null ? 'Unassigned' : `Assigned to ${a.user}`);
      break;
    case 'severity':
      next = { ...current, severity: a.severity, severitySetBy: actor };
      log.push(history(now, actor, 'severity', { severity: [current.severity, a.severity] }));
      note(`Severity set to ${a.severity}`);
      break;
    case 'comment':
      log.push(history(now, actor, 'comment', {}));
      break;
  }
  if (a.comment !== undefined) log.push({ at: now, actor, kind: 'comment', action: 'operator', detail: a.comment });
  return { alarm: next, log };
}
