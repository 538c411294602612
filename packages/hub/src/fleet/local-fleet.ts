import type { Fleet, FleetChannel, FleetJob, FleetMessages, StreamEvent } from './fleet.js';

type Listener = (message: never) => void;

/**
 * The fleet of one hub process (SQLite): every message goes to this process's own listeners at once;
 * a job runs unless the same job is still running here.
 */
export class LocalFleet implements Fleet {
  private readonly eventListeners: ((events: readonly StreamEvent[]) => void)[] = [];
  private readonly listeners = new Map<FleetChannel, Listener[]>();
  private readonly running = new Set<FleetJob>();

  constructor(readonly instance: string) {}

  async publish(events: readonly StreamEvent[]): Promise<void> {
    if (events.length === 0) return;
    for (const listener of this.eventListeners) listener(events);
  }

  onEvents(listener: (events: readonly StreamEvent[]) => void): void {
    this.eventListeners.push(listener);
  }

  async send<C extends FleetChannel>(channel: C, message: FleetMessages[C]): Promise<void> {
    for (const listener of this.listeners.get(channel) ?? []) (listener as (m: FleetMessages[C]) => void)(message);
  }

  on<C extends FleetChannel>(channel: C, listener: (message: FleetMessages[C]) => void): void {
    this.listeners.set(channel, [...(this.listeners.get(channel) ?? []), listener as Listener]);
  }

  /** Nothing to hear from: the one process is the fleet. */
  ready(): boolean {
    return true;
  }

  async exclusive<T>(job: FleetJob, run: () => Promise<T>): Promise<T | undefined> {
    if (this.running.has(job)) return undefined;
    this.running.add(job);
    try {
      return await run();
    } finally {
      this.running.delete(job);
    }
  }

  async close(): Promise<void> {}
}
