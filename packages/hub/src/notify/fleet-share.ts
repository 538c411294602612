import type { Fleet } from '../fleet/fleet.js';
import type { Logger } from '../logger.js';
import type { NotifyAlert } from './group-notice.js';

/** What one hub's notifier tells the others' (the fleet's `notify` channel). */
export type FleetNotice = { from: string } & ({ alert: NotifyAlert } | { key: string; acknowledged: boolean });

/** PostgreSQL's NOTIFY takes at most 8000 bytes; an alert is a few hundred. */
const MAX_MESSAGE_BYTES = 7_500;

interface Applied {
  alert(alert: NotifyAlert): void;
  acknowledged(key: string): void;
  unacknowledged(key: string): void;
}

/**
 * Every hub's dispatcher hears every alert and acknowledgement of the fleet, as each Alertmanager of a
 * cluster receives every alert: what this hub learns is applied here at once (so a hub cut off from the
 * others still notifies what it hears) and sent to the others, whose own messages are applied as they
 * come. The hubs' groups then hold the same alerts and flush at nearly the same time; the store's
 * notification log (DeliveryStore.enqueue `once`) queues each notice once. A message a hub misses while
 * cut off leaves it out of that hub's groups only: the others, the sender's own included, still tell it.
 */
export function shareWithFleet(fleet: Pick<Fleet, 'instance' | 'on' | 'send'>, local: Applied, log: Logger): Applied {
  fleet.on('notify', (m) => {
    if (m.from === fleet.instance) return;
    log.debug({ from: m.from, key: 'alert' in m ? m.alert.key : m.key }, 'notify message from another hub');
    if ('alert' in m) local.alert(m.alert);
    else if (m.acknowledged) local.acknowledged(m.key);
    else local.unacknowledged(m.key);
  });
  const share = (message: FleetNotice) => {
    const bytes = Buffer.byteLength(JSON.stringify(message));
    if (bytes > MAX_MESSAGE_BYTES) return log.warn({ bytes }, 'alert too large to share with the other hubs: only this hub notifies it');
    fleet.send('notify', message).catch((err: unknown) => log.warn({ err: (err as Error).message }, 'alert not shared with the other hubs: only this hub notifies it'));
  };
  return {
    alert(alert) {
      local.alert(alert);
      share({ from: fleet.instance, alert });
    },
    acknowledged(key) {
      local.acknowledged(key);
      share({ from: fleet.instance, key, acknowledged: true });
    },
    unacknowledged(key) {
      local.unacknowledged(key);
      share({ from: fleet.instance, key, acknowledged: false });
    },
  };
}
