import type { Clock, TimerHandle } from 'posdiag-protocol';
import type { Fleet } from '../fleet/fleet.js';
import type { Logger } from '../logger.js';
import type { SilenceStore } from '../store/store.js';
import type { Silences } from './silences.js';

/** Messages may be missed while a hub is cut off from the database: the store is read this often anyway. */
export const SILENCE_RELOAD_MS = 30_000;

/**
 * Keeps a dispatcher's Silences the store's: read at start, again at once when any hub says it changed
 * one (the fleet's `silences` message, the sender's own included), and every SILENCE_RELOAD_MS. Reads do
 * not overlap; one asked for during a read runs after it. A failed read keeps the copy it had.
 */
export class SilenceSync {
  private timer: TimerHandle | undefined;
  private reading: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(private readonly o: { store: SilenceStore; fleet: Pick<Fleet, 'on'>; silences: Silences; clock: Clock; log: Logger }) {}

  async start(): Promise<void> {
    this.o.fleet.on('silences', () => void this.reload());
    await this.reload();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.o.clock.clearTimeout(this.timer);
  }

  reload(): Promise<void> {
    if (this.reading) {
      this.again = true;
      return this.reading;
    }
    this.reading = this.read().finally(() => {
      this.reading = undefined;
      if (this.again) {
        this.again = false;
        void this.reload();
      }
    });
    return this.reading;
  }

  private async read(): Promise<void> {
    if (this.stopped) return;
    if (this.timer !== undefined) this.o.clock.clearTimeout(this.timer);
    try {
      const silences = await this.o.store.list(this.o.clock.now());
      this.o.silences.replace(silences);
      this.o.log.debug({ silences: silences.map((x) => x.id) }, 'silences read');
    } catch (err) {
      this.o.log.warn({ err: (err as Error).message }, 'silences not read: muting by the ones read before');
    }
    if (!this.stopped) this.timer = this.o.clock.setTimeout(() => void this.reload(), SILENCE_RELOAD_MS);
  }
}
