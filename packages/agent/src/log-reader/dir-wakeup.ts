import { watch, type FSWatcher } from 'node:fs';
import type { Clock } from 'posdiag-protocol';

/**
 * Wakes a log follower when something changes in the log directory (fs.watch), on a polling interval
 * (fs.watch misses events on some filesystems, fails when inotify watches run out, and needs the
 * directory to exist), or when the follow is aborted.
 *
 * Invariant: an event that arrives while nobody waits is remembered, so the next `wait` returns at once
 * and no append is missed between a read and the wait that follows it.
 */
export class DirWakeup {
  private watcher: FSWatcher | undefined;
  private pending = false;
  private waiter: (() => void) | undefined;

  constructor(
    dir: string,
    private readonly clock: Clock,
    private readonly pollMs: number,
    private readonly signal: AbortSignal,
    useWatch: boolean,
  ) {
    if (useWatch) {
      try {
        this.watcher = watch(dir, () => this.fire());
        this.watcher.on('error', () => this.stopWatching());
      } catch {
        // No directory yet, or no inotify: polling alone covers it.
      }
    }
    signal.addEventListener('abort', this.fire, { once: true });
  }

  wait(): Promise<void> {
    if (this.pending || this.signal.aborted) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(this.fire, this.pollMs);
      this.waiter = () => {
        this.clock.clearTimeout(timer);
        this.pending = false;
        resolve();
      };
    });
  }

  close(): void {
    this.stopWatching();
    this.signal.removeEventListener('abort', this.fire);
  }

  private readonly fire = (): void => {
    this.pending = true;
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  };

  private stopWatching(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }
}
