import type { Clock, TimerHandle } from 'posdiag-protocol';
import type { Logger } from '../logger.js';
import type { HubStore, PruneResult } from '../store/store.js';
import type { Fleet } from './fleet.js';

/** How often the fleet prunes: what ages out meanwhile is an hour's worth, a few batches. */
export const RETENTION_EVERY_MS = 3_600_000;
/** The first prune, soon after start: a hub that was down for a while catches up without waiting an hour. */
export const RETENTION_FIRST_MS = 60_000;

/** `--retain` and `--retain-bundles`; either may be absent. */
export interface RetentionPolicy {
  /** What arrived longer ago than this goes. */
  maxAgeMs?: number;
  /** The bundles kept add up to at most this many bytes; the oldest go first. */
  bundleBytes?: number;
}

export interface RetentionOptions extends RetentionPolicy {
  store: HubStore;
  fleet: Fleet;
  clock: Clock;
  log: Logger;
  everyMs?: number;
}

/**
 * Retention as a fleet job on the hub's clock: once per period for the whole fleet, whichever hub's
 * timer comes first. The period's run is claimed in the store (`claimRun`), so hubs whose timers fire
 * together, or one after the other within the period, prune once; `fleet.exclusive` keeps a run that
 * outlasts its period from overlapping the next. The store prunes in bounded batches (`prune`), so
 * ingest on every hub goes on meanwhile.
 */
export class Retention {
  private readonly everyMs: number;
  private timer: TimerHandle | undefined;
  private readonly abort = new AbortController();
  private running: Promise<unknown> | undefined;

  constructor(private readonly opts: RetentionOptions) {
    if (opts.maxAgeMs !== undefined && !(opts.maxAgeMs > 0)) throw new RangeError(`maxAgeMs must be positive (got ${opts.maxAgeMs})`);
    if (opts.bundleBytes !== undefined && !(opts.bundleBytes > 0)) throw new RangeError(`bundleBytes must be positive (got ${opts.bundleBytes})`);
    this.everyMs = opts.everyMs ?? RETENTION_EVERY_MS;
  }

  /** A run that fails is logged and the next one goes on: the database may well be back by then. */
  start(): void {
    const tick = () => {
      this.timer = this.opts.clock.setTimeout(tick, this.everyMs);
      this.running = this.run().catch((err: unknown) => this.opts.log.error({ err: (err as Error).message }, 'retention failed'));
    };
    this.timer = this.opts.clock.setTimeout(tick, RETENTION_FIRST_MS);
  }

  /** No more runs; one in progress stops after its current batch, and has when this resolves. */
  async stop(): Promise<void> {
    if (this.timer) this.opts.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.abort.abort();
    await this.running;
  }

  /** This period's prune, unless another hub has run it or is running it: undefined then. */
  async run(): Promise<PruneResult | undefined> {
    const { store, fleet, clock, log, maxAgeMs, bundleBytes } = this.opts;
    const pruned = await fleet.exclusive('retention', async () => {
      const now = clock.now();
      if (!(await store.claimRun('retention', now, this.everyMs))) return undefined;
      const before = maxAgeMs === undefined ? 0 : now - maxAgeMs;
      const result = await store.prune(before, bundleBytes, this.abort.signal);
      log.info({ ...result, ...(before > 0 ? { before: new Date(before).toISOString() } : {}), ...(bundleBytes !== undefined ? { bundleBytes } : {}) }, 'retention pruned');
      return result;
    });
    if (!pruned) log.debug({}, 'retention skipped: another hub ran it this period');
    return pruned;
  }
}
