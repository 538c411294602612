import type { Observation } from '../../core/readings.js';
import type { DeviceEvent } from '../../drivers/contract.js';
import { DeviceEventOutlet } from '../../drivers/device-event-outlet.js';
import type { SwipeResult } from './swipe.js';
import { swipeEvent } from './wear.js';

/** A driver whose swipes can be awaited (the interactive self-test). */
export interface SwipeSource {
  /** Calls `listener` with each swipe's status fields; returns the unsubscribe function. */
  onSwipe(listener: (swipe: SwipeResult) => void): () => void;
}

/**
 * Fan-out of a card reader driver's events: swipe listeners first, then the swipe as a device event
 * (the runtime counts its wear), then the runtime's `watch` emit.
 */
export class SwipeEvents implements SwipeSource {
  private emit: ((observation: Observation) => void) | undefined;
  private readonly listeners = new Set<(swipe: SwipeResult) => void>();
  private readonly outlet = new DeviceEventOutlet();

  watch(emit: (observation: Observation) => void): void {
    this.emit = emit;
  }

  deviceEvents(emit: (event: DeviceEvent) => void): () => void {
    return this.outlet.subscribe(emit);
  }

  onSwipe(listener: (swipe: SwipeResult) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  swiped(swipe: SwipeResult, observation: Observation): void {
    for (const listener of [...this.listeners]) listener(swipe);
    this.outlet.send(swipeEvent(swipe));
    this.emit?.(observation);
  }

  changed(observation: Observation): void {
    this.emit?.(observation);
  }

  close(): void {
    this.emit = undefined;
    this.listeners.clear();
  }
}
