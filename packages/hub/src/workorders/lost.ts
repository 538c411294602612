import { randomUUID } from 'node:crypto';
import type { CommandDispatch, CommandMessage } from '../fleet/commands.js';
import type { StreamEvent } from '../fleet/fleet.js';
import type { NotifyAlert } from '../notify/group-notice.js';
import { LOST_CODE, strip, type WorkOrderRecord } from './work-order.js';
import { WorkOrderConflict, type WorkOrders } from './workorders.js';

/** The alert of a lost terminal that connects (alert stream and notifier). */
export const LOST_ONLINE_CODE = 'terminal.lost_online';
/** What a terminal marked lost may still be sent (the shared wire contract of issue 15). */
export const LOST_COMMANDS: readonly string[] = ['lock', 'unlock'];

export interface LostOptions {
  orders: WorkOrders;
  commands: Pick<CommandDispatch, 'post'>;
  /** The alert stream (alert-stream.ts), through the fleet's event batcher. */
  stream(event: StreamEvent): void;
  /** The notifier's feed, when there is one. */
  notify(alert: NotifyAlert): void;
}

/**
 * Lost or stolen terminals: an operator marks one lost (a work order of kind `lost`); when it connects
 * the hub alerts at once (alert stream and notifier: when, from which address) and sends it `lock`
 * before anything else, every time; it is never sent another command but lock/unlock. Unlocking sends
 * `unlock` and closes the order.
 */
export class LostTerminals {
  constructor(private readonly opts: LostOptions) {}

  private get store() {
    return this.opts.orders.opts.store.workorders;
  }

  private now(): number {
    return this.opts.orders.opts.clock.now();
  }

  /** The terminal's open lost order: it is marked lost while there is one. */
  async lostOrder(terminal: string): Promise<WorkOrderRecord | undefined> {
    return (await this.store.openFor(terminal)).find((o) => o.kind === 'lost');
  }

  /** Why `name` may not be sent to the terminal (it is lost), or null when it may. */
  async refusal(terminal: string, name: string): Promise<string | null> {
    if (LOST_COMMANDS.includes(name)) return null;
    const lost = await this.lostOrder(terminal);
    return lost ? `terminal ${terminal} is marked lost (work order ${lost.ref}): it is sent only lock and unlock` : null;
  }

  async markLost(terminal: string, comment: string | null, actor: string): Promise<WorkOrderRecord> {
    const facts = (await this.opts.orders.opts.store.inventory.all()).get(terminal);
    const order = await this.opts.orders.open({ terminal, kind: 'lost', code: LOST_CODE, severity: 'critical', serial: facts?.serial ?? null, repairRequest: null, reportId: null, alarmId: null, comment, actor });
    // Connected now: locked now, not at its next connection.
    await this.lock(terminal, order);
    return order;
  }

  /** Sends `unlock` (when connected) and closes the lost order; a conflict when the terminal is not marked lost. */
  async unlock(terminal: string, comment: string | null, actor: string): Promise<WorkOrderRecord> {
    const now = this.now();
    const lost = await this.lostOrder(terminal);
    if (!lost) throw new WorkOrderConflict(`terminal ${terminal} is not marked lost`);
    const closed = await this.store.updateById(lost.id, (current) =>
      current.state === 'closed' || current.state === 'cancelled' ? null : { order: { ...strip(current), state: 'closed', closedAt: now, updatedAt: now }, log: [{ at: now, actor, action: 'unlock', from: current.state, to: 'closed', comment, detail: null }] },
    );
    if (!closed) throw new WorkOrderConflict(`terminal ${terminal} is not marked lost`);
    await this.send(terminal, 'unlock', {});
    this.opts.notify({ ...this.alert(closed, now, null), status: 'resolved', endsAt: now });
    return closed;
  }

  /**
   * The terminal just connected, before its welcome: when it is marked lost, the alert goes out and
   * `lock` is the first thing it is sent.
   */
  async connecting(terminal: string, remote: string | null): Promise<void> {
    const lost = await this.lostOrder(terminal);
    if (!lost) return;
    const now = this.now();
    const at = new Date(now).toISOString();
    await this.lock(terminal, lost);
    await this.store.appendLog(lost.id, { at: now, actor: 'system', action: 'lost_online', from: null, to: null, comment: null, detail: JSON.stringify({ remote }) });
    this.opts.stream({
      id: `${terminal}@${at}/${LOST_ONLINE_CODE}`,
      event: 'alert',
      data: JSON.stringify({ terminal, code: LOST_ONLINE_CODE, category: 'security', severity: 'critical', state: 'raised', since: at, receivedAt: at, remote, workOrder: lost.ref, summary: summary(lost, remote, at) }),
    });
    this.opts.notify(this.alert(lost, now, remote));
  }

  private alert(o: WorkOrderRecord, now: number, remote: string | null): NotifyAlert {
    const at = new Date(now).toISOString();
    const s = summary(o, remote, at);
    return {
      key: `${o.terminal}|${LOST_ONLINE_CODE}|`,
      status: 'firing',
      labels: { terminal: o.terminal, code: LOST_ONLINE_CODE, severity: 'critical', category: 'security', ref: o.ref },
      annotations: { 'summary.en': s.en, 'summary.zh-CN': s['zh-CN'], ...(remote ? { remote } : {}), at },
      startsAt: now,
    };
  }

  private lock(terminal: string, order: WorkOrderRecord): Promise<void> {
    return this.send(terminal, 'lock', { reason: `marked lost (work order ${order.ref})` });
  }

  private async send(terminal: string, name: 'lock' | 'unlock', args: Record<string, string>): Promise<void> {
    const message: CommandMessage = { type: 'command', id: randomUUID(), name, args };
    await this.opts.commands.post(terminal, message);
  }
}

function summary(o: WorkOrderRecord, remote: string | null, at: string) {
  const from = remote ?? 'an unknown address';
  return {
    en: `Terminal ${o.terminal}, marked lost (${o.ref}), connected at ${at} from ${from}; it was sent lock`,
    'zh-CN': `已挂失的终端 ${o.terminal}（${o.ref}）于 ${at} 从 ${remote ?? '未知地址'} 上线，已下发锁定`,
  };
}
