import type { Fleet } from '../fleet/fleet.js';
import type { HubStore } from '../store/store.js';

type Phase = 'starting' | 'serving' | 'closing';

/**
 * Whether a load balancer should send this hub traffic (GET /healthz?ready=1): not while it starts or
 * closes, nor while its database cannot be read or, on PostgreSQL, it cannot hear the other hubs (its
 * LISTEN connection is down, so commands and lease moves posted elsewhere would not reach it).
 */
export class Readiness {
  private phase: Phase = 'starting';

  constructor(
    private readonly store: Pick<HubStore, 'readable'>,
    private readonly fleet: Pick<Fleet, 'ready'>,
  ) {}

  serving(): void {
    if (this.phase === 'starting') this.phase = 'serving';
  }

  closing(): void {
    this.phase = 'closing';
  }

  /** Why not, or null when ready. */
  async notReady(): Promise<string | null> {
    if (this.phase !== 'serving') return `the hub is ${this.phase}`;
    if (!this.fleet.ready()) return 'the hub does not hear the other hubs: its LISTEN connection to the database is down';
    if (!(await this.store.readable())) return 'the database cannot be read';
    return null;
  }
}
