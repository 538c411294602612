import type { Clock, Locale, LocalizedText } from 'posdiag-protocol';
import type { Fleet } from '../fleet/fleet.js';
import type { Logger } from '../logger.js';
import type { DeliveryRecord, HubStore } from '../store/store.js';
import type { NotifyConfig } from './config.js';
import { DeliveryWorker, type DeliveryTuning, type DeliveryWorkerOptions } from './delivery-worker.js';
import { Dispatcher } from './dispatcher.js';
import { SILENT_CODE } from './feed.js';
import type { GroupNotice, NotifyAlert } from './group-notice.js';
import { shareWithFleet } from './fleet-share.js';
import { createReceiver, type Receiver, type ReceiverSpec } from './receivers/index.js';
import { SilenceSync } from './silence-sync.js';
import { Silences } from './silences.js';
import { toWireNotification } from './wire-notification.js';

/**
 * The hub's notifications, wired: the routing file's receivers, the Dispatcher (routing, grouping,
 * silences, escalation, correlation; in memory, on the Clock) whose every notice is queued durably in
 * the store, one delivery per receiver, and the worker that sends the queue. A notice is in the store
 * before anything is sent, so a hub restart loses none that was queued; the dispatcher's groups are in
 * memory and start again empty (an alert fed again after the restart is a new group's). Silences are the
 * store's, kept in step by SilenceSync. With many hubs on one database every hub's dispatcher hears every
 * alert (fleet-share.ts) and the store's notification log queues each notice once (ONCE_WINDOW_MS).
 */
export interface NotifierOptions {
  config: NotifyConfig;
  store: HubStore;
  clock: Clock;
  log: Logger;
  /** The language of the messages people read. */
  locale: Locale;
  /** Names this hub's claims and attempts (its instance); shares alerts with the other hubs, and tells of silences changed on any. */
  fleet: Pick<Fleet, 'instance' | 'on' | 'send'>;
  /** The console's base address; '' until the console exists. */
  externalURL?: string;
  /** The worker's limits; the defaults are the robots' (delivery-worker.ts). */
  tuning?: Partial<DeliveryTuning>;
  /** Told what became of each send (delivery-worker.ts onSettled): the hub's metrics. */
  onSettled?: DeliveryWorkerOptions['onSettled'];
}

export interface Notifier {
  alert(alert: NotifyAlert): void;
  /** Brings a still-firing alert up again (Dispatcher.remind). */
  remind(alert: NotifyAlert): void;
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

/**
 * Hubs flush the same group within the fleet's message latency of each other (milliseconds); a group's
 * own notice of the same content comes again only a repeat_interval later. Within this window a notice
 * of the same receiver, group and content is one, whichever hub queues it first.
 */
export const ONCE_WINDOW_MS = 10_000;

/** A notice's content for the notification log: its status and each alert's key and status, in key order. */
export function noticeFingerprint(notice: GroupNotice): string {
  return [notice.status, ...notice.alerts.map((a) => `${a.key}=${a.status}`).sort()].join('\n');
}

export async function startNotifier(o: NotifierOptions): Promise<Notifier> {
  const holder = o.fleet.instance;
  const log = o.log.child({ component: 'notify' });
  const receivers = new Map<string, Receiver>(
    // config.ts has checked each entry names exactly one kind, as a ReceiverSpec does.
    o.config.receivers.map((spec) => [spec.name, createReceiver(spec as ReceiverSpec, { locale: o.locale })]),
  );
  await o.store.deliveries.releaseClaims(holder);
  const worker = new DeliveryWorker({ ...o.tuning, store: o.store.deliveries, receivers, clock: o.clock, log, holder, ...(o.onSettled ? { onSettled: o.onSettled } : {}) });
  const wire = { externalURL: o.externalURL ?? '', summaryOf: (code: string) => HUB_SUMMARIES[code] };
  const pending = new Set<Promise<void>>();
  const silences = new Silences();
  const sync = new SilenceSync({ store: o.store.silences, fleet: o.fleet, silences, clock: o.clock, log });
  await sync.start();
  const dispatcher = new Dispatcher({
    config: o.config,
    clock: o.clock,
    silences,
    onNotify(receiver, notice) {
      const now = o.clock.now();
      const queued = o.store.deliveries
        .enqueue(
          {
            receiver,
            alertKeys: notice.alerts.map((a) => a.key),
            payload: JSON.stringify(toWireNotification(notice, wire)),
            createdAt: now,
            dueAt: now,
          },
          { key: JSON.stringify([receiver, notice.groupKey]), fingerprint: noticeFingerprint(notice), windowMs: ONCE_WINDOW_MS },
        )
        .then(
          (id) => (id === null ? log.debug({ receiver, groupKey: notice.groupKey }, 'notice queued by another hub already') : worker.kick()),
          (err: unknown) => log.error({ receiver, groupKey: notice.groupKey, err: (err as Error).message }, 'notification not queued: it is lost'),
        )
        .finally(() => pending.delete(queued));
      pending.add(queued);
    },
  });
  worker.kick();
  const shared = shareWithFleet(
    o.fleet,
    { alert: (a) => dispatcher.alert(a), acknowledged: (k) => dispatcher.acknowledged(k), unacknowledged: (k) => dispatcher.unacknowledged(k) },
    log,
  );
  return {
    ...shared,
    // Claimed for the fleet by one hub (alarms/reminders.ts): sent from there, never shared.
    remind: (alert) => dispatcher.remind(alert),
    deliveriesFor: (key) => o.store.deliveries.deliveriesFor(key),
    async stop() {
      sync.stop();
      dispatcher.stop();
      await Promise.all(pending);
      await worker.stop();
    },
  };
}
