import { randomUUID } from 'node:crypto';
import type { Clock } from 'posdiag-protocol';
import type { CommandDispatch, CommandMessage } from '../fleet/commands.js';
import type { Logger } from '../logger.js';
import type { HubStore, InventoryFacts, StoredReport } from '../store/store.js';
import { newRef, newToken } from './refs.js';
import { slaOf, type SlaPolicy } from './sla.js';
import { decideTransition, hasProof, type TransitionRequest } from './transitions.js';
import { isOpenState, strip, type WorkOrderKind, type WorkOrderLogEntry, type WorkOrderRecord, type WorkOrderWrite } from './work-order.js';
import type { RepairRequest } from './repair-request.js';

/** Not possible now (the API's 409), with the reason. */
export class WorkOrderConflict extends Error {}

/** An operator's order opened without an alarm: one per terminal at a time, like a fault's. */
export const OPERATOR_CODE = 'operator.opened';

export interface OpenRequest {
  terminal: string;
  kind: WorkOrderKind;
  code: string;
  severity: string;
  serial: string | null;
  repairRequest: RepairRequest | null;
  reportId: string | null;
  alarmId: number | null;
  comment: string | null;
  contact?: string | null;
  address?: string | null;
  notes?: string | null;
  actor: string;
}

export interface WorkOrdersOptions {
  store: HubStore;
  commands: Pick<CommandDispatch, 'post'>;
  clock: Clock;
  log: Logger;
  sla: SlaPolicy;
  /** The open alarm the same fault raised (alarms/), once the alarms have taken the report: an order from a repair request links it. */
  alarmOf?(terminal: string, code: string): Promise<number | null>;
  /** The hub's address as merchants reach it (e.g. https://hub.example.com): the merchant page's URL in `work_order`. */
  publicUrl?: string;
}

/**
 * Work orders (issue 15): opened from a stored repair request or by an operator, moved through the
 * repair procedure by operators (transitions.ts decides), proven by a passing full self-test linked as
 * it arrives, and told to the terminal (`work_order`) at each change. Lost terminals are lost.ts's.
 */
export class WorkOrders {
  private chain: Promise<void> = Promise.resolve();

  constructor(readonly opts: WorkOrdersOptions) {}

  /** The merchant page of the order, when the hub knows its public address. */
  pageUrl(o: WorkOrderRecord): string | undefined {
    return this.opts.publicUrl ? `${this.opts.publicUrl.replace(/\/+$/, '')}/wo/${o.token}` : undefined;
  }

  /** A stored report (hub.onStored): a repair request opens or adds to an order; a passing full self-test may prove one. */
  stored(row: StoredReport): void {
    if (row.kind === 'fault' && row.state === 'raised' && row.repairRequest) this.inOrder(() => this.fromRepairRequest(row));
    else if (row.kind === 'self_test' && row.result.level === 'full' && row.result.passed) this.inOrder(() => this.selfTestPassed(row));
  }

  /** Resolves once the reports and hellos heard so far are taken into their orders. */
  flushed(): Promise<void> {
    return this.chain;
  }

  private inOrder(step: () => Promise<void>): void {
    this.chain = this.chain.then(step).catch((err: unknown) => this.opts.log.error({ err: (err as Error).message }, 'work order not updated from a report or hello'));
  }

  private async fromRepairRequest(row: Extract<StoredReport, { kind: 'fault' }>): Promise<void> {
    const rr = row.repairRequest!;
    const alarmId = (await this.opts.alarmOf?.(row.terminal, row.code)) ?? null;
    const now = this.opts.clock.now();
    let opened = false;
    const order = await this.opts.store.workorders.updateOpen(row.terminal, row.code, (current) => {
      if (current) {
        // A repeat of the fault adds to the order it opened, never a second order.
        const log: WorkOrderLogEntry = { at: now, actor: 'system', action: 'repeat', from: null, to: null, comment: null, detail: JSON.stringify({ reportId: row.id, seq: row.seq }) };
        return { order: { ...strip(current), reports: current.reports + 1, updatedAt: now }, log: [log] };
      }
      opened = true;
      return this.creation({ terminal: row.terminal, kind: 'repair', code: row.code, severity: row.severity, serial: knownSerial(rr.terminal.serial), repairRequest: rr, reportId: row.id, alarmId, comment: null, actor: 'system' }, now);
    });
    if (order && opened) {
      this.opts.log.info({ terminal: order.terminal, ref: order.ref, code: order.code }, 'work order opened from a repair request');
      await this.tell(order);
    }
  }

  /** The write that creates an order (no id yet). */
  creation(r: OpenRequest, now: number): WorkOrderWrite {
    const sla = slaOf(this.opts.sla, r.severity);
    return {
      order: {
        ref: newRef(), token: newToken(), terminal: r.terminal, kind: r.kind, state: 'submitted', code: r.code, severity: r.severity,
        serial: r.serial, currentSerial: r.serial, repairRequest: r.repairRequest, reportId: r.reportId, reports: r.reportId ? 1 : 0,
        alarmId: r.alarmId, contact: r.contact ?? null, address: r.address ?? null, notes: r.notes ?? null, assignee: null,
        proofSince: null, selfTestId: null, selfTestAt: null, acceptDueAt: now + sla.acceptMs, resolveDueAt: now + sla.resolveMs,
        acceptBreachedAt: null, resolveBreachedAt: null, openedBy: r.actor, openedAt: now, updatedAt: now, closedAt: null,
      },
      log: [{ at: now, actor: r.actor, action: 'opened', from: null, to: 'submitted', comment: r.comment, detail: r.reportId ? JSON.stringify({ reportId: r.reportId }) : null }],
    };
  }

  /** An operator's order; a conflict when the terminal already has one open for that code. */
  async open(r: OpenRequest): Promise<WorkOrderRecord> {
    const now = this.opts.clock.now();
    let existing: WorkOrderRecord | undefined;
    const order = await this.opts.store.workorders.updateOpen(r.terminal, r.code, (current) => {
      existing = current;
      return current ? null : this.creation(r, now);
    });
    if (!order) throw new WorkOrderConflict(`terminal ${r.terminal} already has work order ${existing!.ref} open for ${r.code}`);
    this.opts.log.info({ terminal: order.terminal, ref: order.ref, by: r.actor, kind: r.kind }, 'work order opened');
    await this.tell(order);
    return order;
  }

  /** Moves the order (transitions.ts); undefined when there is no such order. */
  async transition(id: number, r: Omit<TransitionRequest, 'now'>): Promise<WorkOrderRecord | undefined> {
    let refused: string | undefined;
    const now = this.opts.clock.now();
    const order = await this.opts.store.workorders.updateById(id, (current) => {
      const d = decideTransition(current, { ...r, now });
      if (!d.ok) refused = d.reason;
      return d.ok ? d.write : null;
    });
    if (refused) throw new WorkOrderConflict(refused);
    if (!order) return undefined;
    if (order.state === 'closed') await this.returnToPool(order);
    await this.tell(order);
    return order;
  }

  /** Changes what operators add to an order (assignee, contact, address, notes), logged as `action`. */
  async edit(id: number, action: string, change: Partial<Pick<WorkOrderRecord, 'assignee' | 'contact' | 'address' | 'notes'>>, actor: string, comment: string | null): Promise<WorkOrderRecord | undefined> {
    const now = this.opts.clock.now();
    let closed = false;
    const order = await this.opts.store.workorders.updateById(id, (current) => {
      if (!isOpenState(current.state)) {
        closed = true;
        return null;
      }
      return { order: { ...strip(current), ...change, updatedAt: now }, log: [{ at: now, actor, action, from: null, to: null, comment, detail: JSON.stringify(change) }] };
    });
    if (closed) throw new WorkOrderConflict(`work order ${id} is no longer open`);
    return order ?? undefined;
  }

  /** A passing full self-test: the proof of each open repair order of its terminal waiting for one, and the completion of a swap to its unit. */
  private async selfTestPassed(row: Extract<StoredReport, { kind: 'self_test' }>): Promise<void> {
    const at = Date.parse(row.receivedAt);
    const now = this.opts.clock.now();
    const wo = this.opts.store.workorders;
    for (const o of await wo.openFor(row.terminal)) {
      if (o.kind !== 'repair' || o.proofSince === null || o.proofSince > at || hasProof(o)) continue;
      await wo.updateById(o.id, (current) =>
        current.proofSince === null || current.proofSince > at || hasProof(current)
          ? null
          : {
              order: { ...strip(current), selfTestId: row.id, selfTestAt: at, updatedAt: now },
              // The verdict itself, not only its id: the proof outlives the report's retention.
              log: [{ at: now, actor: 'system', action: 'self_test', from: null, to: null, comment: null, detail: JSON.stringify({ reportId: row.id, ref: row.result.ref ?? null, serial: row.result.terminal.serial, receivedAt: row.receivedAt, result: row.result }) }],
            },
      );
      this.opts.log.info({ terminal: o.terminal, ref: o.ref, selfTest: row.id }, 'passing full self-test linked to the work order');
    }
    for (const swap of await wo.completeSwaps(row.terminal, row.result.terminal.serial, row.id, at)) {
      await wo.appendLog(swap.orderId, { at: now, actor: 'system', action: 'swap_completed', from: null, to: null, comment: null, detail: JSON.stringify({ serial: swap.newSerial, selfTest: row.id }) });
    }
  }

  /**
   * The agent's hello (before its inventory is recorded): a terminal with an open repair order whose
   * unit now has another serial had a spare swapped in. The slot keeps its id; each unit's history
   * follows its serial; the unit taken out goes to the spare pool.
   */
  hello(terminal: string, facts: InventoryFacts): Promise<void> {
    // In the reports' order: the spare's self-test sent right after its hello finds the swap recorded.
    return new Promise((resolve) => this.inOrder(() => this.recordSwap(terminal, facts).finally(resolve)));
  }

  private async recordSwap(terminal: string, facts: InventoryFacts): Promise<void> {
    const serial = facts.serial;
    if (!serial) return;
    const wo = this.opts.store.workorders;
    const now = this.opts.clock.now();
    for (const o of await wo.openFor(terminal)) {
      const before = o.currentSerial ?? o.serial;
      if (o.kind !== 'repair' || !before || before === serial) continue;
      const changed = await wo.updateById(o.id, (current) =>
        (current.currentSerial ?? current.serial) !== before
          ? null
          : {
              // The spare's acceptance self-test is the proof from now on: one from the old unit no longer counts.
              order: { ...strip(current), currentSerial: serial, proofSince: now, selfTestId: null, selfTestAt: null, updatedAt: now },
              log: [{ at: now, actor: 'system', action: 'swap', from: null, to: null, comment: null, detail: JSON.stringify({ slot: terminal, oldSerial: before, newSerial: serial }) }],
            },
      );
      if (!changed) continue;
      await wo.addSwap({ orderId: o.id, terminal, oldSerial: before, newSerial: serial, at: now, completedAt: null, selfTestId: null });
      await wo.putSpare({ serial: before, state: 'swapped_out', terminal, orderId: o.id, since: now });
      if (await wo.spare(serial)) await wo.putSpare({ serial, state: 'in_service', terminal, orderId: o.id, since: now });
      this.opts.log.info({ terminal, ref: o.ref, oldSerial: before, newSerial: serial }, 'spare unit swapped into the slot');
    }
  }

  /** The order closed: the units it took out of service are repaired spares now. */
  private async returnToPool(order: WorkOrderRecord): Promise<void> {
    const wo = this.opts.store.workorders;
    const now = this.opts.clock.now();
    for (const s of await wo.spares()) if (s.orderId === order.id && s.state === 'swapped_out') await wo.putSpare({ ...s, state: 'repaired', since: now });
  }

  /**
   * What the terminal is told of its order: the `work_order` command's args, which are the agent's
   * work-order file (ref, state, url?). A hub's swap file for the slot carries the same (swap-file-api.ts).
   */
  workOrderArgs(order: WorkOrderRecord): { ref: string; state: string; url?: string } {
    const url = this.pageUrl(order);
    return { ref: order.ref, state: order.state, ...(url ? { url } : {}) };
  }

  /** Tells the terminal its order's reference and state (the `work_order` command) when it is connected to a hub; lost terminals are not told. */
  async tell(order: WorkOrderRecord): Promise<void> {
    if (order.kind !== 'repair') return;
    const message: CommandMessage = { type: 'command', id: randomUUID(), name: 'work_order', args: this.workOrderArgs(order) };
    await this.opts.commands.post(order.terminal, message).catch((err: unknown) => this.opts.log.warn({ terminal: order.terminal, ref: order.ref, err: (err as Error).message }, 'work_order not sent to the terminal'));
  }

  /** The terminal's latest repair order neither closed nor cancelled: the one it is told of. */
  async latestOpenRepair(terminal: string): Promise<WorkOrderRecord | undefined> {
    return (await this.opts.store.workorders.openFor(terminal)).filter((o) => o.kind === 'repair').at(-1);
  }

  /** The terminal was welcomed: it hears of its latest open repair order. */
  async welcomed(terminal: string): Promise<void> {
    const open = await this.latestOpenRepair(terminal);
    if (open) await this.tell(open);
  }
}

/** The agent says `unknown` when it could not read the serial: no unit to follow, and no swap to see. */
const knownSerial = (serial: string) => (serial === 'unknown' ? null : serial);
