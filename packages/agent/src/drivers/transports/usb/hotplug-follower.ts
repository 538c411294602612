import type { Clock, TimerHandle } from 'posdiag-protocol';
import { SerialQueue } from '../../../core/serial-queue.js';
import type { Logger } from '../../../log/logger.js';
import type { UsbBus, UsbHotplugEvent } from './bus.js';

/** After an attach the kernel may still be adding interfaces (and udev the hidraw node): one more look then. */
export const HOTPLUG_SETTLE_MS = 1000;

export interface HotplugFollowerOptions {
  subscribe: UsbBus['onHotplug'];
  /** Which attach/detach events concern this driver. */
  matches: (event: UsbHotplugEvent) => boolean;
  /** Looks at the device(s) again and reports; never run twice at once. */
  look: () => Promise<void>;
  clock: Clock;
  log: Logger;
}

/**
 * Turns USB hotplug notifications into a driver's looks: on a matching attach or detach it looks at
 * once, and after an attach once more HOTPLUG_SETTLE_MS later. Looks are queued, never overlapping.
 *
 * Invariant: after `close()` resolves no look runs and none is pending.
 */
export class HotplugFollower {
  private unsubscribe: (() => void) | undefined;
  private settleTimer: TimerHandle | undefined;
  private readonly looks = new SerialQueue();
  private closed = false;

  constructor(private readonly opts: HotplugFollowerOptions) {}

  start(): void {
    if (this.unsubscribe || this.closed) return;
    this.unsubscribe = this.opts.subscribe((event) => {
      if (this.closed || !this.opts.matches(event)) return;
      this.opts.log.debug({ type: event.type, vendorId: event.vendorId, productId: event.productId }, 'USB hotplug');
      this.look();
      if (event.type === 'attach' && !this.settleTimer) {
        this.settleTimer = this.opts.clock.setTimeout(() => {
          this.settleTimer = undefined;
          this.look();
        }, HOTPLUG_SETTLE_MS);
      }
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribe?.();
    if (this.settleTimer) this.opts.clock.clearTimeout(this.settleTimer);
    await this.looks.idle();
  }

  private look(): void {
    this.looks
      .run(async () => (this.closed ? undefined : this.opts.look()))
      .catch((err: Error) => this.opts.log.warn({ err: err.message }, 'USB hotplug not followed up'));
  }
}
