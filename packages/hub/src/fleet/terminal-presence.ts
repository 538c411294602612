import type { Clock, TimerHandle } from 'posdiag-protocol';
import type { Logger } from '../logger.js';
import type { HubStore, PresenceRow } from '../store/store.js';
import type { Fleet } from './fleet.js';

/** Three of the agent's default 5-minute heartbeats. */
export const DEFAULT_SILENCE_AFTER_MS = 15 * 60_000;
/** A hub renews its leases (and writes back when its terminals were last heard) this often. */
export const DEFAULT_LEASE_RENEW_MS = 10_000;
/** A hub's lease lasts this many renewals: one missed renewal (a slow database) does not free its terminals. */
export const LEASE_RENEWALS_PER_LIFE = 3;

export interface PresenceEvent {
  /** `silent`: not connected and not heard from for the silence period; `back`: heard from again. */
  type: 'silent' | 'back';
  terminal: string;
  lastHeard: string;
}

export interface TerminalState {
  id: string;
  connected: boolean;
  /** The last frame or connection from it (on any hub), or its last stored report before presence was kept. */
  lastHeard: string | null;
  silent: boolean;
}

export interface PresenceOptions {
  store: HubStore;
  fleet: Fleet;
  clock: Clock;
  silenceAfterMs: number;
  renewMs?: number;
  /** Every terminal the hub knows (its tokens). */
  terminals: () => string[];
  /** The terminals connected to this hub. */
  held: () => string[];
  onChange: (event: PresenceEvent) => void;
  log: Logger;
}

/**
 * Which terminals the fleet hears from, and which hub holds each. A terminal off the network or out of
 * power cannot report its own fault, so its silence is the signal: one that has been heard from, has no
 * live connection on any hub and has sent nothing for the silence period is announced `silent` once,
 * and `back` when it connects again.
 *
 * A hub holds its terminals through one lease of its own, renewed every `renewMs` (one row, however
 * many terminals): when it dies, every terminal it held is free once that lease runs out. Heartbeats and
 * frames cost no write each: when a terminal was last heard is kept in memory, and those heard since
 * the last renewal are written back with it, in one statement. A connect is one write (the terminal
 * changes hands at once, so one that reconnects elsewhere is taken over without waiting for anything);
 * so is a disconnect. The silence check is a fleet job: one hub runs it at
 * a time, and the `silent` flag in the store makes each announcement once for the whole fleet.
 */
export class TerminalPresence {
  private readonly heardAt = new Map<string, number>();
  /** Heard since the last write-back: only these are written, so a write costs a row per frame-bearing terminal. */
  private unwritten = new Map<string, number>();
  private readonly renewMs: number;
  private readonly leaseMs: number;
  private renewTimer: TimerHandle | undefined;
  private checkTimer: TimerHandle | undefined;

  constructor(private readonly opts: PresenceOptions) {
    if (!(opts.silenceAfterMs > 0)) throw new RangeError(`silenceAfterMs must be positive (got ${opts.silenceAfterMs})`);
    this.renewMs = opts.renewMs ?? DEFAULT_LEASE_RENEW_MS;
    this.leaseMs = this.renewMs * LEASE_RENEWALS_PER_LIFE;
  }

  /**
   * Renews and checks on timers of the hub's clock. The silence check runs often enough that a silence
   * is announced within a quarter of the period after it starts. A tick that fails is logged and the
   * next one goes on: the database may well be back by then.
   */
  start(): void {
    const every = Math.max(1000, Math.floor(this.opts.silenceAfterMs / 4));
    const renew = () => {
      this.renewTimer = this.opts.clock.setTimeout(renew, this.renewMs);
      this.writeBack().catch((err: unknown) => this.opts.log.error({ err: (err as Error).message }, 'lease renewal failed'));
    };
    const check = () => {
      this.checkTimer = this.opts.clock.setTimeout(check, every);
      this.check().catch((err: unknown) => this.opts.log.error({ err: (err as Error).message }, 'silence check failed'));
    };
    this.renewTimer = this.opts.clock.setTimeout(renew, this.renewMs);
    this.checkTimer = this.opts.clock.setTimeout(check, every);
  }

  stop(): void {
    for (const timer of [this.renewTimer, this.checkTimer]) if (timer) this.opts.clock.clearTimeout(timer);
    this.renewTimer = this.checkTimer = undefined;
  }

  /** The terminal connected here: this hub takes its lease; a hub that held it drops its connection. */
  async connected(terminal: string): Promise<void> {
    const now = this.opts.clock.now();
    this.heardAt.set(terminal, now);
    const { previousHolder, wasSilent } = await this.opts.store.holdTerminal(terminal, this.opts.fleet.instance, now, this.leaseMs);
    if (previousHolder !== null && previousHolder !== this.opts.fleet.instance) {
      this.opts.log.info({ terminal, from: previousHolder }, 'terminal taken over from another hub');
      await this.opts.fleet.send('lease', { terminal, holder: this.opts.fleet.instance });
    }
    if (wasSilent) this.announce('back', terminal, now);
  }

  heard(terminal: string): void {
    const now = this.opts.clock.now();
    this.heardAt.set(terminal, now);
    this.unwritten.set(terminal, now);
  }

  /** Its connection here ended: the lease goes at once, not when it would expire. */
  async disconnected(terminal: string): Promise<void> {
    const at = this.heardAt.get(terminal) ?? this.opts.clock.now();
    this.heardAt.delete(terminal);
    this.unwritten.delete(terminal);
    await this.opts.store.releaseTerminal(terminal, this.opts.fleet.instance, at);
  }

  /** The terminal is no longer known (revoked): it is never announced silent. */
  async forget(terminal: string): Promise<void> {
    this.heardAt.delete(terminal);
    this.unwritten.delete(terminal);
    await this.opts.store.forgetTerminal(terminal);
  }

  /** This hub's lease renewed, and when its terminals heard from since the last time were, written back. */
  async writeBack(): Promise<void> {
    const heard = this.unwritten;
    this.unwritten = new Map();
    try {
      await this.opts.store.renewLeases(this.opts.fleet.instance, heard, this.opts.clock.now(), this.leaseMs);
    } catch (err) {
      // Kept for the next write-back, unless heard again meanwhile.
      for (const [terminal, at] of heard) if (!this.unwritten.has(terminal)) this.unwritten.set(terminal, at);
      throw err;
    }
  }

  async check(): Promise<void> {
    await this.opts.fleet.exclusive('silence', async () => {
      const now = this.opts.clock.now();
      const known = new Set(this.opts.terminals());
      const found = await this.opts.store.markSilent(now - this.opts.silenceAfterMs, now, this.opts.held());
      for (const { terminal, lastHeard } of found) if (known.has(terminal)) this.announce('silent', terminal, lastHeard);
    });
  }

  async list(): Promise<TerminalState[]> {
    const rows = new Map((await this.opts.store.presence()).map((r) => [r.terminal, r]));
    return this.statesOf(this.opts.terminals().sort(), rows);
  }

  /** The same for these terminals only (the console's page of them), reading their rows alone. */
  async states(ids: readonly string[]): Promise<TerminalState[]> {
    const rows = new Map((await Promise.all(ids.map((id) => this.opts.store.presence(id)))).flat().map((r) => [r.terminal, r]));
    return this.statesOf(ids, rows);
  }

  private statesOf(ids: readonly string[], rows: ReadonlyMap<string, PresenceRow>): TerminalState[] {
    const now = this.opts.clock.now();
    const mine = new Set(this.opts.held());
    return ids.map((id) => {
      const row = rows.get(id);
      const at = Math.max(row?.lastHeard ?? -Infinity, this.heardAt.get(id) ?? -Infinity);
      const connected = mine.has(id) || (row?.holder != null && (row.leaseExpires ?? 0) > now);
      return { id, connected, lastHeard: Number.isFinite(at) ? new Date(at).toISOString() : null, silent: !connected && (row?.silent ?? false) };
    });
  }

  private announce(type: PresenceEvent['type'], terminal: string, lastHeardMs: number): void {
    const event = { type, terminal, lastHeard: new Date(lastHeardMs).toISOString() };
    this.opts.log[type === 'silent' ? 'warn' : 'info'](event, type === 'silent' ? 'terminal silent' : 'terminal heard from again');
    this.opts.onChange(event);
  }
}
