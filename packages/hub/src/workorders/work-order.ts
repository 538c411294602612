import type { RepairRequest } from './repair-request.js';

/**
 * A work order (issue 15): the repair of one terminal's fault, or a terminal reported lost, from the
 * moment it is opened to the moment it is closed with proof. Times are ms since the epoch.
 */
export const WORK_ORDER_STATES = ['submitted', 'accepted', 'spare_sent', 'in_repair', 'returned', 'verified', 'closed', 'cancelled'] as const;
export type WorkOrderState = (typeof WORK_ORDER_STATES)[number];
export type WorkOrderKind = 'repair' | 'lost';

/** States an order never leaves: it is no longer open, and a new fault of its code opens a new one. */
export const FINAL_STATES: readonly WorkOrderState[] = ['closed', 'cancelled'];
export const isOpenState = (s: WorkOrderState) => !FINAL_STATES.includes(s);

/** The code a lost terminal's order carries in place of a fault code. */
export const LOST_CODE = 'terminal.lost';

export interface WorkOrderRecord {
  id: number;
  /** Short, for people: on the merchant's receipt and the phone (refs.ts). */
  ref: string;
  /** Unguessable: the merchant page's URL (merchant-page.ts). */
  token: string;
  terminal: string;
  kind: WorkOrderKind;
  state: WorkOrderState;
  /** The fault it repairs (LOST_CODE for a lost terminal; `operator.opened` for one opened by hand without an alarm). */
  code: string;
  severity: string;
  /** The terminal's serial when the order was opened; the unit in its slot now is `currentSerial`. */
  serial: string | null;
  currentSerial: string | null;
  repairRequest: RepairRequest | null;
  /** The fault report that opened it, and how many reports of its fault came since (a repeat adds to the order). */
  reportId: string | null;
  reports: number;
  alarmId: number | null;
  contact: string | null;
  address: string | null;
  notes: string | null;
  assignee: string | null;
  /** From when a passing full self-test counts as proof of the repair: entering in_repair or returned, or a swap. */
  proofSince: number | null;
  /** The passing full self-test linked as that proof. */
  selfTestId: string | null;
  selfTestAt: number | null;
  /** SLA (sla.ts): by when it should be accepted and resolved (verified), and when either was found breached. */
  acceptDueAt: number;
  resolveDueAt: number;
  acceptBreachedAt: number | null;
  resolveBreachedAt: number | null;
  openedBy: string;
  openedAt: number;
  updatedAt: number;
  closedAt: number | null;
}

/** One line of an order's append-only history: who did what, when, with which comment. */
export interface WorkOrderLogEntry {
  at: number;
  actor: string;
  /** opened, repeat, transition, override, assign, edit, self_test, swap, swap_completed, sla_breached, lost_online. */
  action: string;
  from: WorkOrderState | null;
  to: WorkOrderState | null;
  comment: string | null;
  /** What else the action says, JSON. */
  detail: string | null;
}

/** A change the service decided on: the order as it is to be stored, and the history lines to append. */
export interface WorkOrderWrite {
  order: Omit<WorkOrderRecord, 'id'>;
  log: WorkOrderLogEntry[];
}

/** A spare unit swapped into a terminal's slot (GET /api/units/SERIAL, the order's swaps). */
export interface SwapRecord {
  id: number;
  orderId: number;
  /** The slot: the terminal id the spare took over. */
  terminal: string;
  oldSerial: string;
  newSerial: string;
  at: number;
  /** When the spare passed its acceptance (full) self-test; null until then. */
  completedAt: number | null;
  selfTestId: string | null;
}

/** swapped_out: taken out of a slot, waiting for its repair; repaired: its order closed, ready as a spare; in_service: in a slot again. */
export type SpareState = 'swapped_out' | 'repaired' | 'in_service';

export interface SpareRecord {
  serial: string;
  state: SpareState;
  /** The slot it last left, and the order that took it out. */
  terminal: string;
  orderId: number;
  since: number;
}

export interface WorkOrderQuery {
  terminal?: string;
  state?: WorkOrderState;
  kind?: WorkOrderKind;
  /** Keyset paging: orders with an id below this. */
  before?: number;
  limit: number;
}

/** The record without its id: what a write stores. */
export function strip(o: WorkOrderRecord): Omit<WorkOrderRecord, 'id'> {
  const { id: _id, ...rest } = o;
  return rest;
}

/** A file an operator or technician added to an order (a photo of the damage, a courier's receipt); its bytes apart. */
export interface AttachmentInfo {
  id: number;
  orderId: number;
  name: string;
  contentType: string;
  size: number;
  /** Hex SHA-256 of the bytes: the evidence is what was uploaded. */
  sha256: string;
  addedBy: string;
  addedAt: number;
}
