import type { Clock, Severity, TimerHandle } from 'posdiag-protocol';
import type { StreamEvent } from '../fleet/fleet.js';
import type { Logger } from '../logger.js';
import type { NotifyAlert } from '../notify/group-notice.js';
import type { WorkOrderStore } from '../store/store.js';
import type { WorkOrderRecord } from './work-order.js';

export interface SlaTimes {
  /** From opening to `accepted`. */
  acceptMs: number;
  /** From opening to `verified`: the terminal proven repaired. */
  resolveMs: number;
}

export type SlaPolicy = Record<Severity, SlaTimes>;

const HOUR = 3_600_000;
/** What a payment provider commonly promises a merchant: a dead terminal is answered within the hour and fixed within the day. */
export const DEFAULT_SLA: SlaPolicy = {
  critical: { acceptMs: 1 * HOUR, resolveMs: 24 * HOUR },
  major: { acceptMs: 4 * HOUR, resolveMs: 72 * HOUR },
  minor: { acceptMs: 24 * HOUR, resolveMs: 7 * 24 * HOUR },
  info: { acceptMs: 72 * HOUR, resolveMs: 14 * 24 * HOUR },
};

/** The defaults with what HubOptions.workOrders.sla overrides; a non-positive time is refused. */
export function slaPolicy(over: Partial<Record<Severity, Partial<SlaTimes>>> = {}): SlaPolicy {
  const out = { ...DEFAULT_SLA };
  for (const [severity, times] of Object.entries(over) as [Severity, Partial<SlaTimes>][]) {
    if (!Object.hasOwn(DEFAULT_SLA, severity)) throw new RangeError(`workOrders.sla: unknown severity ${severity}`);
    const merged = { ...DEFAULT_SLA[severity], ...times };
    for (const [k, v] of Object.entries(merged)) if (!(v > 0)) throw new RangeError(`workOrders.sla.${severity}.${k} must be positive (got ${v})`);
    out[severity] = merged;
  }
  return out;
}

export const slaOf = (policy: SlaPolicy, severity: string): SlaTimes => policy[severity as Severity] ?? policy.major;

export const SLA_CODE = 'workorder.sla_breached';

/** The notifier's alert for a breach: its own key per order and kind, routed by severity like a fault. */
export function breachAlert(o: WorkOrderRecord, which: 'accept' | 'resolve', now: number): NotifyAlert {
  const due = new Date(which === 'accept' ? o.acceptDueAt : o.resolveDueAt).toISOString();
  const en = which === 'accept' ? `Work order ${o.ref} not accepted by ${due}` : `Work order ${o.ref} not resolved by ${due}`;
  const zh = which === 'accept' ? `工单 ${o.ref} 未在 ${due} 前受理` : `工单 ${o.ref} 未在 ${due} 前修复`;
  return {
    key: `${o.terminal}|${SLA_CODE}|${o.ref}:${which}`,
    status: 'firing',
    labels: { terminal: o.terminal, code: SLA_CODE, severity: o.severity, ref: o.ref, sla: which },
    annotations: { 'summary.en': en, 'summary.zh-CN': zh, state: o.state },
    startsAt: now,
  };
}

/** The breach on the alert stream (alert-stream.ts), beside the faults: consoles and scripts see it the moment it is claimed. */
function breachEvent(o: WorkOrderRecord, alert: NotifyAlert, now: number): StreamEvent {
  const at = new Date(now).toISOString();
  return {
    id: `${o.terminal}@${at}/${SLA_CODE}/${alert.labels.sla}`,
    event: 'alert',
    data: JSON.stringify({
      terminal: o.terminal, code: SLA_CODE, severity: o.severity, state: 'raised', since: at, receivedAt: at,
      workOrder: o.ref, sla: alert.labels.sla, orderState: o.state, summary: { en: alert.annotations['summary.en'], 'zh-CN': alert.annotations['summary.zh-CN'] },
    }),
  };
}

/**
 * The SLA timers as a job on the hub's clock: every `everyMs` each hub claims the breaches due (the
 * store stamps each once, so the fleet reports it once, whichever hub's timer fires first), logs each on
 * its order, hands it to `notify` (the notifier's feed, when there is one) and puts it on the alert stream.
 */
export class SlaWatch {
  private timer: TimerHandle | undefined;

  constructor(private readonly opts: { store: WorkOrderStore; clock: Clock; log: Logger; everyMs: number; notify(alert: NotifyAlert): void; stream(event: StreamEvent): void }) {}

  start(): void {
    const tick = () => {
      this.timer = this.opts.clock.setTimeout(tick, this.opts.everyMs);
      this.check().catch((err: unknown) => this.opts.log.error({ err: (err as Error).message }, 'work order SLAs not checked'));
    };
    this.timer = this.opts.clock.setTimeout(tick, this.opts.everyMs);
  }

  stop(): void {
    if (this.timer) this.opts.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Claims, logs and notifies the breaches due now; says how many. */
  async check(): Promise<number> {
    const now = this.opts.clock.now();
    let n = 0;
    for (const which of ['accept', 'resolve'] as const) {
      for (const o of await this.opts.store.claimBreaches(which, now)) {
        n++;
        const dueAt = which === 'accept' ? o.acceptDueAt : o.resolveDueAt;
        await this.opts.store.appendLog(o.id, { at: now, actor: 'system', action: 'sla_breached', from: null, to: null, comment: null, detail: JSON.stringify({ sla: which, dueAt: new Date(dueAt).toISOString() }) });
        this.opts.log.warn({ terminal: o.terminal, ref: o.ref, sla: which, state: o.state }, 'work order SLA breached');
        const alert = breachAlert(o, which, now);
        this.opts.notify(alert);
        this.opts.stream(breachEvent(o, alert, now));
      }
    }
    return n;
  }
}
