/**
 * The delivery worker: sends what the delivery queue in the store holds (store.ts DeliveryStore) through
 * the receivers, one round after another. Invariants:
 * - a delivery is sent only under this hub's claim on it (a lease in the store), so with many hubs on
 *   one PostgreSQL database each is sent by one hub; a claim left by a hub that died runs out and is
 *   taken again (a delivery may then go twice, never zero times);
 * - a retryable failure is tried again after posdiag-protocol's capped backoff with full jitter, up to
 *   `maxAttempts` sends; any other failure, or the last, leaves it failed; every outcome is logged;
 * - per receiver at most `perMinute` sends start in a minute's window (the robots' published limit:
 *   DingTalk, WeCom, Feishu 20 a minute), counted for the whole fleet in the store (takeSendSlot), so
 *   hubs sharing a database keep to it together; what comes over it is held until the window opens,
 *   then every held one is folded into one summary notification (held-back.ts), which counts as one send;
 * - rounds never overlap; all waiting is on the injected Clock; nothing it does throws into its caller.
 */
import { fullJitterDelay, type BackoffPolicy, type Clock, type TimerHandle } from 'posdiag-protocol';
import type { Logger } from '../logger.js';
import type { DeliveryAttempt, DeliveryNext, DeliveryStore, QueuedDelivery } from '../store/store.js';
import { heldBackSummary } from './held-back.js';
import type { Notification, Receiver } from './receivers/notification.js';

export const DEFAULT_PER_MINUTE = 20;
const WINDOW_MS = 60_000;
export const DEFAULT_DELIVERY_BACKOFF: BackoffPolicy = { initialMs: 10_000, maxMs: 10 * 60_000 };
export const DEFAULT_MAX_ATTEMPTS = 12;
/** Longer than a claim's sends can take: at most `perMinute` sends of at most 10 s each per receiver. */
const LEASE_MS = 5 * 60_000;
/** A claim takes at most this many; the rest wait for the next round. */
const CLAIM_LIMIT = 100;
/** Other hubs queue deliveries too: the store is looked at this often even when nothing is due here. */
const DEFAULT_POLL_MS = 10_000;

export interface DeliveryTuning {
  perMinute: number;
  backoff: BackoffPolicy;
  maxAttempts: number;
  /** In [0, 1), as Math.random: the jitter. */
  random: () => number;
  pollMs: number;
}

export interface DeliveryWorkerOptions extends Partial<DeliveryTuning> {
  store: DeliveryStore;
  receivers: ReadonlyMap<string, Receiver>;
  clock: Clock;
  log: Logger;
  /** This hub instance: the claims' holder and the attempts' `hub`. */
  holder: string;
  /** Told each outcome once it is in the store (the hub's metrics count them); must not throw. */
  onSettled?: (receiver: string, outcome: DeliveryAttempt['outcome']) => void;
}

export class DeliveryWorker {
  private readonly tuning: DeliveryTuning;
  private timer: TimerHandle | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(private readonly o: DeliveryWorkerOptions) {
    this.tuning = {
      perMinute: o.perMinute ?? DEFAULT_PER_MINUTE,
      backoff: o.backoff ?? DEFAULT_DELIVERY_BACKOFF,
      maxAttempts: o.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      random: o.random ?? Math.random,
      pollMs: o.pollMs ?? DEFAULT_POLL_MS,
    };
  }

  /** Something was queued or fell due: a round starts now, or right after the one running. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer !== undefined) this.o.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.running = this.run().finally(() => {
      this.running = undefined;
      if (this.again) this.kick();
    });
  }

  /** No round starts after; resolves when the running one ended (its sends settled). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) this.o.clock.clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private async run(): Promise<void> {
    this.again = false;
    try {
      while (!this.stopped && (await this.round()));
      if (!this.stopped) await this.scheduleNext();
    } catch (err) {
      this.o.log.warn({ err: (err as Error).message }, 'delivery round failed: trying again shortly');
      this.arm(this.tuning.pollMs);
    }
  }

  /** One claim and its sends; false when nothing was due. */
  private async round(): Promise<boolean> {
    const claimed = await this.o.store.claimDue(this.o.holder, this.o.clock.now(), LEASE_MS, CLAIM_LIMIT);
    if (claimed.length === 0) return false;
    const byReceiver = new Map<string, QueuedDelivery[]>();
    for (const d of claimed) byReceiver.set(d.receiver, [...(byReceiver.get(d.receiver) ?? []), d]);
    // A slow receiver delays only its own deliveries.
    await Promise.all([...byReceiver].map(([name, list]) => this.serve(name, list)));
    return true;
  }

  private async serve(name: string, list: QueuedDelivery[]): Promise<void> {
    const receiver = this.o.receivers.get(name);
    if (!receiver) {
      // Queued before a restart with a routing file that no longer names it.
      for (const d of list) await this.settle(d, 'failed', `no receiver named "${name}" in the routing file`, { state: 'failed', attempts: d.attempts });
      return;
    }
    const held = list.filter((d) => d.state === 'held');
    if (held.length > 0) await this.fold(name, held);
    for (const d of list) if (d.state === 'pending') await this.send(receiver, d);
  }

  private async send(receiver: Receiver, d: QueuedDelivery): Promise<void> {
    const now = this.o.clock.now();
    const slot = await this.o.store.takeSendSlot(receiver.name, now, this.tuning.perMinute, WINDOW_MS);
    if (slot !== true) {
      const detail = `over ${this.tuning.perMinute} a minute: held back, to go in one summary when the window opens`;
      await this.settle(d, 'held', detail, { state: 'held', dueAt: slot.opensAt, attempts: d.attempts });
      return;
    }
    const result = await receiver.send(JSON.parse(d.payload) as Notification, now);
    const attempts = d.attempts + 1;
    if (result.ok) return this.settle(d, 'delivered', result.detail, { state: 'delivered', attempts });
    if (result.retryable && attempts < this.tuning.maxAttempts) {
      const dueAt = this.o.clock.now() + fullJitterDelay(attempts - 1, this.tuning.backoff, this.tuning.random);
      return this.settle(d, 'retry', result.reason, { state: 'pending', dueAt, attempts });
    }
    const why = result.retryable ? `${result.reason} (gave up after ${attempts} attempts)` : result.reason;
    return this.settle(d, 'failed', why, { state: 'failed', attempts });
  }

  /** The held deliveries of a receiver become one summary, queued now; they are done. */
  private async fold(name: string, held: QueuedDelivery[]): Promise<void> {
    const now = this.o.clock.now();
    const summary = heldBackSummary(name, held.map((d) => JSON.parse(d.payload) as Notification), now);
    const alertKeys = [...new Set(held.flatMap((d) => d.alertKeys))];
    const id = await this.o.store.enqueue({ receiver: name, alertKeys, payload: JSON.stringify(summary), createdAt: now, dueAt: now });
    for (const d of held) await this.settle(d, 'folded', `folded into summary delivery ${id}`, { state: 'folded', attempts: d.attempts });
  }

  private async settle(d: QueuedDelivery, outcome: DeliveryAttempt['outcome'], detail: string, next: DeliveryNext): Promise<void> {
    const attempt: DeliveryAttempt = { at: this.o.clock.now(), hub: this.o.holder, outcome, detail };
    await this.o.store.settle(d.id, this.o.holder, attempt, next);
    this.o.onSettled?.(d.receiver, outcome);
    const log = outcome === 'failed' ? this.o.log.warn : this.o.log.debug;
    log.call(this.o.log, { delivery: d.id, receiver: d.receiver, outcome, detail }, 'notification delivery');
  }

  private async scheduleNext(): Promise<void> {
    const due = await this.o.store.nextDue();
    const wait = due === null ? this.tuning.pollMs : Math.min(this.tuning.pollMs, Math.max(0, due - this.o.clock.now()));
    this.arm(wait);
  }

  private arm(ms: number): void {
    if (this.stopped) return;
    if (this.timer !== undefined) this.o.clock.clearTimeout(this.timer);
    this.timer = this.o.clock.setTimeout(() => {
      this.timer = undefined;
      this.kick();
    }, ms);
  }
}
