import { describe, expect, it } from 'vitest';
import { decideTransition, hasProof, LOST_MOVES, REPAIR_MOVES } from '../../src/workorders/transitions.js';
import { WORK_ORDER_STATES, type WorkOrderRecord, type WorkOrderState } from '../../src/workorders/work-order.js';

const order = (over: Partial<WorkOrderRecord> = {}): WorkOrderRecord => ({
  id: 1, ref: 'WO-7K3F9Q', token: 't'.repeat(22), terminal: 'T-0001', kind: 'repair', state: 'submitted', code: 'printer.head_failure', severity: 'critical',
  serial: 'A', currentSerial: 'A', repairRequest: null, reportId: null, reports: 1, alarmId: null, contact: null, address: null, notes: null, assignee: null,
  proofSince: null, selfTestId: null, selfTestAt: null, acceptDueAt: 0, resolveDueAt: 0, acceptBreachedAt: null, resolveBreachedAt: null,
  openedBy: 'system', openedAt: 0, updatedAt: 0, closedAt: null, ...over,
});
const move = (from: WorkOrderState, to: WorkOrderState, over: Partial<WorkOrderRecord> = {}, extra = {}) =>
  decideTransition(order({ state: from, ...over }), { to, actor: 'otto', now: 1000, ...extra });

describe('work order transitions (a pure table)', () => {
  it('allows exactly the moves of the table, from every state to every state', () => {
    const proven = { proofSince: 10, selfTestId: 'st', selfTestAt: 20 };
    for (const from of WORK_ORDER_STATES) {
      for (const to of WORK_ORDER_STATES) {
        const d = move(from, to, proven);
        expect(d.ok, `${from} → ${to}`).toBe(REPAIR_MOVES[from].includes(to));
      }
    }
    expect(REPAIR_MOVES.submitted).toEqual(['accepted', 'cancelled']);
    expect(REPAIR_MOVES.closed).toEqual([]);
  });

  it('says why a move is refused', () => {
    expect(move('submitted', 'closed')).toEqual({ ok: false, reason: 'work order WO-7K3F9Q cannot go from submitted to closed (allowed: accepted, cancelled)' });
    expect(move('closed', 'accepted')).toEqual({ ok: false, reason: 'work order WO-7K3F9Q is closed: it cannot change any more' });
  });

  it('verifies only with a passing full self-test linked since the repair, or an override with a comment', () => {
    expect(move('returned', 'verified', { proofSince: 500 })).toMatchObject({ ok: false, reason: expect.stringMatching(/no passing full self-test from T-0001 since the repair \(1970-01-01T00:00:00.500Z\)/) });
    // A test from before the repair started proves nothing.
    expect(hasProof(order({ proofSince: 500, selfTestId: 'old', selfTestAt: 400 }))).toBe(false);
    expect(move('returned', 'verified', { proofSince: 500, selfTestId: 'st', selfTestAt: 600 })).toMatchObject({ ok: true, write: { order: { state: 'verified' }, log: [{ action: 'transition', from: 'returned', to: 'verified' }] } });
    expect(move('returned', 'verified', {}, { override: true })).toEqual({ ok: false, reason: 'an override needs a comment saying why the repair is taken as proven' });
    expect(move('returned', 'verified', {}, { override: true, comment: 'checked on site by phone' })).toMatchObject({
      ok: true,
      write: { log: [{ action: 'override', actor: 'otto', comment: 'checked on site by phone', from: 'returned', to: 'verified' }] },
    });
    expect(move('submitted', 'accepted', {}, { override: true, comment: 'x' })).toMatchObject({ ok: false, reason: expect.stringMatching(/override applies only/) });
  });

  it('starts the proof window on entering in_repair or returned, and stamps the close', () => {
    expect(move('accepted', 'in_repair')).toMatchObject({ ok: true, write: { order: { proofSince: 1000 } } });
    expect(move('in_repair', 'returned', { proofSince: 10 })).toMatchObject({ ok: true, write: { order: { proofSince: 1000 } } });
    expect(move('verified', 'closed')).toMatchObject({ ok: true, write: { order: { state: 'closed', closedAt: 1000 } } });
    expect(move('accepted', 'cancelled')).toMatchObject({ ok: true, write: { order: { state: 'cancelled', closedAt: 1000 } } });
  });

  it('closes a lost terminal\'s order only by its unlock', () => {
    expect(LOST_MOVES.submitted).toEqual(['accepted']);
    expect(move('accepted', 'closed', { kind: 'lost' })).toMatchObject({ ok: false, reason: expect.stringMatching(/closes when the terminal is unlocked \(POST \/api\/terminals\/T-0001\/unlock\)/) });
  });
});
