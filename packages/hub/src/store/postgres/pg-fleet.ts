import pg from 'pg';
import type { Clock } from 'posdiag-protocol';
import { FLEET_CHANNELS, type Fleet, type FleetChannel, type FleetJob, type FleetMessages, type StreamEvent } from '../../fleet/fleet.js';
import { LOCK_CLASS, LOCKS } from './locks.js';

const EVENTS_CHANNEL = 'posdiag_events';
const channelName = (channel: FleetChannel) => `posdiag_${channel}`;
/** How soon a lost LISTEN connection is made again, and how far apart the attempts go. */
const RECONNECT_MS = { first: 200, max: 5_000 };

type Listener = (message: never) => void;

/**
 * The fleet of every hub on one PostgreSQL database. The alert stream's events of a batch are one row
 * each in `stream_events` and one NOTIFY for the batch, whose listeners read the rows they have not
 * seen: a NOTIFY carries at most 8000 bytes, an alert with its repair request several KiB, and the rows
 * let a hub whose LISTEN connection dropped catch up on what it missed once it is back. Lease and
 * command messages are small and rare (one per connect, one per command): a NOTIFY each.
 */
export class PgFleet implements Fleet {
  private readonly eventListeners: ((events: readonly StreamEvent[]) => void)[] = [];
  private readonly listeners = new Map<FleetChannel, Listener[]>();
  private client: pg.Client | undefined;
  private lastSeen = 0;
  private fetching: Promise<void> | undefined;
  private fetchAgain = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private reconnectMs = RECONNECT_MS.first;
  private closed = false;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly url: string,
    readonly instance: string,
    private readonly clock: Clock,
  ) {}

  static async open(pool: pg.Pool, url: string, instance: string, clock: Clock): Promise<PgFleet> {
    const fleet = new PgFleet(pool, url, instance, clock);
    const { rows } = await pool.query<{ n: string }>('SELECT COALESCE(max(n), 0) AS n FROM stream_events');
    fleet.lastSeen = Number(rows[0]!.n);
    await fleet.listen();
    return fleet;
  }

  /** A connection of its own, since a LISTEN lasts as long as its session; made again when it drops. */
  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url });
    const lost = () => {
      if (this.client !== client) return;
      this.client = undefined;
      client.end().catch(() => {});
      this.scheduleReconnect();
    };
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', (n) => this.notified(n.channel, n.payload ?? ''));
    await client.connect();
    await client.query([EVENTS_CHANNEL, ...FLEET_CHANNELS.map(channelName)].map((c) => `LISTEN ${c};`).join(' '));
    this.client = client;
    this.reconnectMs = RECONNECT_MS.first;
    // Whatever was published while this hub was not listening.
    this.fetchEvents();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.listen().catch(() => this.scheduleReconnect());
    }, this.reconnectMs);
    this.reconnectMs = Math.min(this.reconnectMs * 2, RECONNECT_MS.max);
  }

  private notified(channel: string, payload: string): void {
    if (channel === EVENTS_CHANNEL) return void (payload !== this.instance && this.fetchEvents());
    for (const name of FLEET_CHANNELS) {
      if (channel !== channelName(name)) continue;
      let message: unknown;
      try {
        message = JSON.parse(payload);
      } catch {
        return;
      }
      for (const listener of this.listeners.get(name) ?? []) (listener as (m: unknown) => void)(message);
    }
  }

  /** One fetch at a time; a NOTIFY during a fetch makes one more. */
  private fetchEvents(): void {
    if (this.fetching) {
      this.fetchAgain = true;
      return;
    }
    this.fetching = (async () => {
      do {
        this.fetchAgain = false;
        const { rows } = await this.pool.query<{ n: string; hub: string; id: string; event: string; data: string }>(
          'SELECT n, hub, id, event, data FROM stream_events WHERE n > $1 ORDER BY n',
          [this.lastSeen],
        );
        if (rows.length === 0) continue;
        this.lastSeen = Number(rows.at(-1)!.n);
        const theirs = rows.filter((r) => r.hub !== this.instance).map(({ id, event, data }) => ({ id, event, data }));
        if (theirs.length > 0) for (const listener of this.eventListeners) listener(theirs);
      } while (this.fetchAgain);
    })()
      // A failed read is retried at the next NOTIFY or reconnect: lastSeen has not moved.
      .catch(() => {})
      .finally(() => (this.fetching = undefined));
  }

  async publish(events: readonly StreamEvent[]): Promise<void> {
    if (events.length === 0) return;
    for (const listener of this.eventListeners) listener(events);
    // One statement: the rows and the batch's one NOTIFY commit together.
    await this.pool.query(
      `WITH added AS (
         INSERT INTO stream_events (at, hub, id, event, data)
         SELECT $1, $2, * FROM unnest($3::text[], $4::text[], $5::text[]) RETURNING n
       ) SELECT pg_notify('${EVENTS_CHANNEL}', $2) FROM (SELECT 1 FROM added LIMIT 1) one`,
      [this.clock.now(), this.instance, events.map((e) => e.id), events.map((e) => e.event), events.map((e) => e.data)],
    );
  }

  onEvents(listener: (events: readonly StreamEvent[]) => void): void {
    this.eventListeners.push(listener);
  }

  async send<C extends FleetChannel>(channel: C, message: FleetMessages[C]): Promise<void> {
    await this.pool.query('SELECT pg_notify($1, $2)', [channelName(channel), JSON.stringify(message)]);
  }

  on<C extends FleetChannel>(channel: C, listener: (message: FleetMessages[C]) => void): void {
    this.listeners.set(channel, [...(this.listeners.get(channel) ?? []), listener as Listener]);
  }

  /** Listening: between a lost LISTEN connection and its reconnect, messages from other hubs are missed. */
  ready(): boolean {
    return this.client !== undefined;
  }

  /**
   * The lock is taken on this hub's own LISTEN connection, not on one of the pool's: a pool client held
   * for the job's whole run while the job itself waits for pool clients was a hold-and-wait that, with
   * the pool full, stalled every query of the hub (and its close). The lock is the session's: it goes
   * with the connection if the server does, and another hub may then run the job too, which the jobs
   * allow (the store's state makes each effect happen once). Without that connection the job waits for
   * its next round.
   */
  async exclusive<T>(job: FleetJob, run: () => Promise<T>): Promise<T | undefined> {
    const client = this.client;
    if (!client) return undefined;
    const { rows } = await client.query<{ got: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS got', [LOCK_CLASS, LOCKS[job]]);
    if (!rows[0]!.got) return undefined;
    try {
      return await run();
    } finally {
      await client.query('SELECT pg_advisory_unlock($1, $2)', [LOCK_CLASS, LOCKS[job]]).catch(() => {});
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => {});
    await this.fetching;
  }
}
