import type { DeviceEvent } from '../drivers/contract.js';
import type { LifetimeCounters } from './lifetime-counters.js';
import { TRACKS } from './maintenance-trends.js';

/**
 * The one place wear is counted: each device event that wears a part, as the scheduler delivers it
 * (whoever made the device act: a payment, a self-test's receipt, the interactive swipe check). A
 * receipt counts one cut and its paper; a swipe counts one read, good when a track read and none
 * failed (the card reader's `good` outcome), and each track the card had something on, a failure when
 * it did not read. Other events wear nothing.
 */
export function countWear(counters: LifetimeCounters, event: DeviceEvent): void {
  switch (event.type) {
    case 'receipt_cut':
      counters.recordCut();
      counters.recordFeed(event.paperMm);
      return;
    case 'swipe':
      counters.recordRead(event.tracks.includes('ok') && !event.tracks.includes('failed'));
      event.tracks.forEach((track, i) => {
        if (track !== 'empty') counters.recordSwipe(TRACKS[i]!, track === 'ok');
      });
      return;
    case 'clock_reference':
      return;
  }
}
