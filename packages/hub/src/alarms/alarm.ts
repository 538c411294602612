import type { Category, Severity } from 'posdiag-protocol';

/** The code of the alarm a terminal's silence raises (fleet/terminal-presence.ts); it has no instance. */
export const SILENT_CODE = 'terminal.silent';

/**
 * One alarm per (terminal, code, instance) while it is not closed; a closed alarm never changes again,
 * and the next raise of that key opens a new one. Two independent facts make its status: active or
 * cleared (the fault's own state) and acknowledged or not (an operator's). Times are ms since the epoch.
 */
export interface AlarmRecord {
  id: number;
  terminal: string;
  code: string;
  instance: string | null;
  severity: Severity;
  /** Who last set the severity by hand; while set, a raise no longer changes it. */
  severitySetBy: string | null;
  category: Category;
  status: 'active' | 'cleared';
  acknowledged: boolean;
  assignee: string | null;
  /** The onset: the raising report's `since`, or when a silent terminal was last heard. */
  since: number;
  /** The latest raise. */
  lastSeen: number;
  clearedAt: number | null;
  closedAt: number | null;
  /** Raises seen, the first included. */
  count: number;
  /** The seq of the latest fault report applied (null for terminal.silent): an older one is ignored. */
  lastSeq: number | null;
  /** The report that raised it (the onset's), null for terminal.silent. */
  reportId: string | null;
  /** When the last reminder went out (terminal.silent), null if none yet. */
  remindedAt: number | null;
  createdAt: number;
}

/** One entry of an alarm's append-only log: a change (history) or a comment (an operator's or the system's). */
export interface AlarmLogEntry {
  at: number;
  /** The principal's name, or "system" for what the hub did on a report or a terminal's presence. */
  actor: string;
  kind: 'history' | 'comment';
  /** History: raised, repeated, cleared, reactivated, ack, unack, assign, severity, close, comment. Comment: "system" or "operator". */
  action: string;
  /** History: what changed, JSON; comment: its text. */
  detail: string;
}

/** What a decision writes: the alarm's whole new state, and the log entries appended to it. */
export interface AlarmWrite {
  alarm: Omit<AlarmRecord, 'id'>;
  log: AlarmLogEntry[];
}

export interface AlarmKey {
  terminal: string;
  code: string;
  instance: string | null;
}

export interface AlarmQuery {
  status?: AlarmRecord['status'];
  acknowledged?: boolean;
  closed?: boolean;
  severity?: Severity;
  category?: Category;
  code?: string;
  terminal?: string;
  /** Terminal labels that must all match (store's terminal labels). */
  labels?: Record<string, string>;
  /** The onset (`since`) at or after / before these. */
  sinceMs?: number;
  untilMs?: number;
  /** Keyset paging: ids below this one (the list is newest first). */
  before?: number;
  limit: number;
}

export const SYSTEM_ACTOR = 'system';
