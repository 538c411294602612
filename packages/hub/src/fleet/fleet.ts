import type { FleetNotice } from '../notify/fleet-share.js';

/** One event of the alert stream, as every hub's `GET /api/alerts` sends it (alert-stream.ts). */
export interface StreamEvent {
  id: string;
  event: string;
  /** JSON text. */
  data: string;
}

/** What one hub tells the others, besides the events of the alert stream. One channel per purpose. */
export interface FleetMessages {
  /** `holder` took the terminal's lease: any other hub with a connection from it drops that one. */
  lease: { terminal: string; holder: string };
  /** A command was posted for a terminal `holder` holds: that hub sends it. */
  command: { id: string; holder: string };
  /** A silence was made or expired on hub `by`: every dispatcher reads the silences again. */
  silences: { by: string };
  /** An alert or an acknowledgement one hub's notifier heard, for every other's (notify/fleet-share.ts). */
  notify: FleetNotice;
}

/** Every channel, as the PostgreSQL fleet LISTENs to them. */
export const FLEET_CHANNELS: readonly FleetChannel[] = ['lease', 'command', 'silences', 'notify'];

export type FleetChannel = keyof FleetMessages;

/** Jobs that run once for the whole fleet, whichever hub runs them. */
export type FleetJob = 'silence' | 'retention';

/**
 * What the hub processes on one database share besides the data: the alert stream's events, the
 * lease and command messages, and fleet-wide jobs run once. SQLite serves one hub process, so its
 * fleet is that process (local-fleet.ts); on PostgreSQL it is every hub on the database
 * (store/postgres/pg-fleet.ts: LISTEN/NOTIFY and advisory locks).
 *
 * Delivery: every hub's listeners get each event once: the publishing hub's at once, the others' as
 * soon as the database tells them. Messages and events sent while a hub is cut off from the database
 * may be missed by it; the state they announce is in the store (presence, commands) for it to read.
 */
export interface Fleet {
  /** This hub process, as it is named in logs and leases (`--instance`). */
  readonly instance: string;
  /** One message to every hub for the whole batch, however many events it holds. */
  publish(events: readonly StreamEvent[]): Promise<void>;
  onEvents(listener: (events: readonly StreamEvent[]) => void): void;
  send<C extends FleetChannel>(channel: C, message: FleetMessages[C]): Promise<void>;
  on<C extends FleetChannel>(channel: C, listener: (message: FleetMessages[C]) => void): void;
  /** Whether this hub hears the others now (GET /healthz?ready=1): false while PostgreSQL's LISTEN connection is down. */
  ready(): boolean;
  /** Runs `job` unless another hub is running it now; undefined then. */
  exclusive<T>(job: FleetJob, run: () => Promise<T>): Promise<T | undefined>;
  close(): Promise<void>;
}
