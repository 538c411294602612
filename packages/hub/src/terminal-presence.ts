import type { Clock, TimerHandle } from 'posdiag-protocol';
import type { Logger } from './logger.js';

/** Three of the agent's default 5-minute heartbeats. */
export const DEFAULT_SILENCE_AFTER_MS = 15 * 60_000;

export interface PresenceEvent {
  /** `silent`: not connected and not heard from for the silence period; `back`: heard from again. */
  type: 'silent' | 'back';
  terminal: string;
  lastHeard: string;
}

export interface TerminalState {
  id: string;
  connected: boolean;
  /** The last frame or connection from it, or its last stored report before this hub started. */
  lastHeard: string | null;
  silent: boolean;
}

export interface PresenceOptions {
  clock: Clock;
  silenceAfterMs: number;
  /** Every terminal the hub knows (its tokens). */
  terminals: () => string[];
  isConnected: (terminal: string) => boolean;
  onChange: (event: PresenceEvent) => void;
  log: Logger;
}

/**
 * Which terminals the hub hears from. A terminal off the network or out of power cannot report its own
 * fault, so its silence is the signal: one that has been heard from (since the hub started, or by a
 * report stored before), has no open connection (the keep-alive drops dead ones) and has sent nothing
 * for the silence period is announced `silent` once, and `back` when it is heard from again.
 */
export class TerminalPresence {
  private readonly lastHeard: Map<string, number>;
  private readonly silent = new Set<string>();
  private checkTimer: TimerHandle | undefined;

  constructor(
    private readonly opts: PresenceOptions,
    /** When each terminal was last heard of before this hub started (its last stored report). */
    seed: Map<string, number>,
  ) {
    if (!(opts.silenceAfterMs > 0)) throw new RangeError(`silenceAfterMs must be positive (got ${opts.silenceAfterMs})`);
    this.lastHeard = new Map(seed);
  }

  /**
   * Checks often enough that a silence is announced within a quarter of the period after it starts. A
   * check that fails is logged and the checks go on: the next one may well succeed.
   */
  start(): void {
    const every = Math.max(1000, Math.floor(this.opts.silenceAfterMs / 4));
    const tick = () => {
      try {
        this.check();
      } catch (err) {
        this.opts.log.error({ err }, 'periodic task failed');
      }
      this.checkTimer = this.opts.clock.setTimeout(tick, every);
    };
    this.checkTimer = this.opts.clock.setTimeout(tick, every);
  }

  stop(): void {
    if (this.checkTimer) this.opts.clock.clearTimeout(this.checkTimer);
    this.checkTimer = undefined;
  }

  heard(terminal: string): void {
    const now = this.opts.clock.now();
    this.lastHeard.set(terminal, now);
    if (this.silent.delete(terminal)) this.announce('back', terminal, now);
  }

  /** The terminal is no longer known (revoked): it is never announced silent. */
  forget(terminal: string): void {
    this.lastHeard.delete(terminal);
    this.silent.delete(terminal);
  }

  check(): void {
    const now = this.opts.clock.now();
    for (const [terminal, at] of this.lastHeard) {
      if (this.silent.has(terminal) || now - at < this.opts.silenceAfterMs || this.opts.isConnected(terminal)) continue;
      this.silent.add(terminal);
      this.announce('silent', terminal, at);
    }
  }

  list(): TerminalState[] {
    return this.opts.terminals().sort().map((id) => {
      const at = this.lastHeard.get(id);
      return { id, connected: this.opts.isConnected(id), lastHeard: at === undefined ? null : new Date(at).toISOString(), silent: this.silent.has(id) };
    });
  }

  private announce(type: PresenceEvent['type'], terminal: string, lastHeardMs: number): void {
    const event = { type, terminal, lastHeard: new Date(lastHeardMs).toISOString() };
    this.opts.log[type === 'silent' ? 'warn' : 'info'](event, type === 'silent' ? 'terminal silent' : 'terminal heard from again');
    this.opts.onChange(event);
  }
}
