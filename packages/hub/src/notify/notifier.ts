import type { Clock, Locale, LocalizedText } from 'posdiag-protocol';
import type { Fleet } from '../fleet/fleet.js';
import type { Logger } from '../logger.js';
import type { DeliveryRecord, HubStore } from '../store/store.js';
import type { NotifyConfig } from './config.js';
import { DeliveryWorker, type DeliveryTuning, type DeliveryWorkerOptions } from './delivery-worker.js';
import { Dispatcher } from './dispatcher.js';
import { SILENT_CODE } from './feed.js';
import type { NotifyAlert } from './group-notice.js';
import { createReceiver, type Receiver, type ReceiverSpec } from './receivers/index.js';
import type { Silences } from './silences.js';
import { toWireNotification } from './wire-notification.js';

/**
 * The hub's notifications, wired: the routing file's receivers, the Dispatcher (routing, grouping,
 * silences, escalation, correlation; in memory, on the Clock) whose every notice is queued durably in
 * the store, one delivery per receiver, and the worker that sends the queue. A notice is in the store
 * before anything is sent, so a hub restart loses none that was queued; the dispatcher's groups are in
 * memory and start again empty (an alert fed again after the restart is a new group's).
 */
export interface NotifierOptions {
  config: NotifyConfig;
  store: HubStore;
  clock: Clock;
  log: Logger;
  /** The language of the messages people read. */
  locale: Locale;
  /** Names this hub's claims and attempts (its instance); without it, `local`. */
  fleet?: Pick<Fleet, 'instance'>;
  /** The console's base address; '' until the console exists. */
  externalURL?: string;
  /** The worker's limits; the defaults are the robots' (delivery-worker.ts). */
  tuning?: Partial<DeliveryTuning>;
  /** Told what became of each send (delivery-worker.ts onSettled): the hub's metrics. */
  onSettled?: DeliveryWorkerOptions['onSettled'];
  /** The silences the dispatcher applies, shared with whoever manages them (the console's /silences). */
  silences?: Silences;
}

export interface Notifier {
  alert(alert: NotifyAlert): void;
  acknowledged(key: string): void;
  unacknowledged(key: string): void;
  /** Who was notified of the alert of `key`, when, delivered or why not. */
  deliveriesFor(key: string): Promise<DeliveryRecord[]>;
  /** Stops the dispatcher's timers and the worker; what is queued stays queued. */
  stop(): Promise<void>;
}

/** Summaries of the hub's own codes; a fault's comes with its report. */
const HUB_SUMMARIES: Readonly<Record<string, LocalizedText>> = {
  [SILENT_CODE]: { en: 'The terminal has gone silent: not connected and not heard from', 'zh-CN': '终端失联：未连接且无消息' },
};

export async function startNotifier(o: NotifierOptions): Promise<Notifier> {
  const holder = o.fleet?.instance ?? 'local';
  const log = o.log.child({ component: 'notify' });
  const receivers = new Map<string, Receiver>(
    // config.ts has checked each entry names exactly one kind, as a ReceiverSpec does.
    o.config.receivers.map((spec) => [spec.name, createReceiver(spec as ReceiverSpec, { locale: o.locale })]),
  );
  await o.store.deliveries.releaseClaims(holder);
  const worker = new DeliveryWorker({ ...o.tuning, store: o.store.deliveries, receivers, clock: o.clock, log, holder, ...(o.onSettled ? { onSettled: o.onSettled } : {}) });
  const wire = { externalURL: o.externalURL ?? '', summaryOf: (code: string) => HUB_SUMMARIES[code] };
  const pending = new Set<Promise<void>>();
  const dispatcher = new Dispatcher({
    config: o.config,
    clock: o.clock,
    ...(o.silences ? { silences: o.silences } : {}),
    onNotify(receiver, notice) {
      const now = o.clock.now();
      const queued = o.store.deliveries
        .enqueue({
          receiver,
          alertKeys: notice.alerts.map((a) => a.key),
          payload: JSON.stringify(toWireNotification(notice, wire)),
          createdAt: now,
          dueAt: now,
        })
        .then(
          () => worker.kick(),
          (err: unknown) => log.error({ receiver, groupKey: notice.groupKey, err: (err as Error).message }, 'notification not queued: it is lost'),
        )
        .finally(() => pending.delete(queued));
      pending.add(queued);
    },
  });
  worker.kick();
  return {
    alert: (alert) => dispatcher.alert(alert),
    acknowledged: (key) => dispatcher.acknowledged(key),
    unacknowledged: (key) => dispatcher.unacknowledged(key),
    deliveriesFor: (key) => o.store.deliveries.deliveriesFor(key),
    async stop() {
      dispatcher.stop();
      await Promise.all(pending);
      await worker.stop();
    },
  };
}
