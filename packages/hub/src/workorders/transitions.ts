import { isOpenState, strip, type WorkOrderLogEntry, type WorkOrderRecord, type WorkOrderState, type WorkOrderWrite } from './work-order.js';

/**
 * The repair procedure of the merchants' guides as a table: from each state, where an operator may move
 * an order. A spare is optional (accepted → in_repair directly); a unit that fails its check after its
 * return goes back to repair; every open state may be cancelled.
 */
export const REPAIR_MOVES: Readonly<Record<WorkOrderState, readonly WorkOrderState[]>> = {
  submitted: ['accepted', 'cancelled'],
  accepted: ['spare_sent', 'in_repair', 'cancelled'],
  spare_sent: ['in_repair', 'cancelled'],
  in_repair: ['returned', 'cancelled'],
  returned: ['verified', 'in_repair', 'cancelled'],
  verified: ['closed'],
  closed: [],
  cancelled: [],
};

/** A lost terminal's order is accepted by hand; it closes by the unlock (lost.ts), never by a transition. */
export const LOST_MOVES: Readonly<Record<WorkOrderState, readonly WorkOrderState[]>> = {
  submitted: ['accepted'],
  accepted: [],
  spare_sent: [],
  in_repair: [],
  returned: [],
  verified: [],
  closed: [],
  cancelled: [],
};

/** Where an operator may move the order from its state now (the console offers these only). */
export function movesFrom(o: Pick<WorkOrderRecord, 'kind' | 'state'>): readonly WorkOrderState[] {
  return (o.kind === 'lost' ? LOST_MOVES : REPAIR_MOVES)[o.state];
}

/** Entering these starts the window in which a passing full self-test proves the repair. */
const PROOF_STARTS: readonly WorkOrderState[] = ['in_repair', 'returned'];

export interface TransitionRequest {
  to: WorkOrderState;
  comment?: string | undefined;
  /** Verify without a linked self-test: allowed only with a comment, and logged as an override. */
  override?: boolean | undefined;
  actor: string;
  now: number;
}

export type Decision = { ok: true; write: WorkOrderWrite } | { ok: false; reason: string };

/** Whether the order's linked self-test proves the repair: passing, full, and stored since the proof window opened. */
export function hasProof(o: WorkOrderRecord): boolean {
  return o.selfTestId !== null && o.selfTestAt !== null && o.proofSince !== null && o.selfTestAt >= o.proofSince;
}

/** The pure decision on one move: the order as it would be stored with its history line, or why not. */
export function decideTransition(o: WorkOrderRecord, r: TransitionRequest): Decision {
  const moves = movesFrom(o);
  if (!moves.includes(r.to)) {
    if (!isOpenState(o.state)) return { ok: false, reason: `work order ${o.ref} is ${o.state}: it cannot change any more` };
    if (o.kind === 'lost' && r.to === 'closed') return { ok: false, reason: `work order ${o.ref} is for a lost terminal: it closes when the terminal is unlocked (POST /api/terminals/${o.terminal}/unlock)` };
    return { ok: false, reason: `work order ${o.ref} cannot go from ${o.state} to ${r.to} (allowed: ${moves.join(', ') || 'none'})` };
  }
  let action = 'transition';
  if (r.to === 'verified' && !hasProof(o)) {
    if (!r.override) {
      return { ok: false, reason: `work order ${o.ref} cannot be verified: no passing full self-test from ${o.terminal} since the repair${o.proofSince === null ? '' : ` (${new Date(o.proofSince).toISOString()})`}; run one, or override with a comment` };
    }
    if (!r.comment?.trim()) return { ok: false, reason: 'an override needs a comment saying why the repair is taken as proven' };
    action = 'override';
  } else if (r.override) {
    return { ok: false, reason: 'override applies only to verifying an order without a passing self-test' };
  }
  const order: WorkOrderWrite['order'] = { ...strip(o), state: r.to, updatedAt: r.now };
  if (PROOF_STARTS.includes(r.to)) order.proofSince = r.now;
  if (!isOpenState(r.to)) order.closedAt = r.now;
  const entry: WorkOrderLogEntry = { at: r.now, actor: r.actor, action, from: o.state, to: r.to, comment: r.comment ?? null, detail: null };
  return { ok: true, write: { order, log: [entry] } };
}
