import type { DeviceEvent } from './contract.js';

/**
 * Where a driver's DeviceEvents go: the one subscriber the runtime gave it (`Driver.deviceEvents`).
 * An event with nobody subscribed (before the scheduler starts, after it stops, in a one-off CLI
 * self-test) is dropped: wear is counted by the daemon, which subscribes before anything can happen.
 */
export class DeviceEventOutlet {
  private emit: ((event: DeviceEvent) => void) | undefined;

  subscribe(emit: (event: DeviceEvent) => void): () => void {
    this.emit = emit;
    return () => {
      if (this.emit === emit) this.emit = undefined;
    };
  }

  send(event: DeviceEvent): void {
    this.emit?.(event);
  }
}
