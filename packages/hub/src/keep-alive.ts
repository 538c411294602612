import type WebSocket from 'ws';
import type { Clock, TimerHandle } from 'posdiag-protocol';

/** How often the hub pings each agent connection unless told otherwise. */
export const DEFAULT_PING_INTERVAL_MS = 30_000;

/**
 * Pings every watched socket on one shared timer, every `intervalMs` on `clock`, and calls `onDead`
 * once, instead of the next ping, for a socket whose previous ping got no pong: a half-open connection
 * (agent gone without a FIN) is otherwise never noticed. A socket watched between two sweeps gets its
 * first ping at the next one, so it is declared dead within two periods of its last sign of life.
 * A socket leaves by itself when it closes or is declared dead; `onDead` must end the connection.
 * One timer and two listener functions serve every connection (nothing is allocated per socket but
 * its map entry), and the timer runs only while some socket is watched.
 */
export class KeepAliveSweep {
  /** Every watched socket, with the terminal it serves. */
  private readonly watched = new Map<WebSocket, string>();
  /** The watched sockets pinged by the last sweep that have not answered since. */
  private readonly unanswered = new Set<WebSocket>();
  private timer: TimerHandle | undefined;
  /** Shared by every socket: ws calls a listener with the socket as `this`. */
  private readonly ponged: (this: WebSocket) => void;
  private readonly closed: (this: WebSocket) => void;

  constructor(
    private readonly clock: Clock,
    private readonly intervalMs: number,
    private readonly onDead: (ws: WebSocket, terminal: string) => void,
  ) {
    const sweep = this;
    this.ponged = function () {
      sweep.unanswered.delete(this);
    };
    this.closed = function () {
      sweep.unwatch(this);
    };
  }

  watch(ws: WebSocket, terminal: string): void {
    this.watched.set(ws, terminal);
    ws.on('pong', this.ponged);
    ws.on('close', this.closed);
    this.timer ??= this.clock.setTimeout(() => this.sweep(), this.intervalMs);
  }

  /** Forgets every socket and stops the timer (hub shutdown). */
  stop(): void {
    for (const ws of this.watched.keys()) this.unwatch(ws);
  }

  private unwatch(ws: WebSocket): void {
    if (!this.watched.delete(ws)) return;
    this.unanswered.delete(ws);
    ws.off('pong', this.ponged);
    ws.off('close', this.closed);
    if (this.watched.size === 0 && this.timer !== undefined) {
      this.clock.clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  private sweep(): void {
    this.timer = undefined;
    const dead: [WebSocket, string][] = [];
    for (const [ws, terminal] of this.watched) {
      if (this.unanswered.has(ws)) dead.push([ws, terminal]);
      else {
        this.unanswered.add(ws);
        ws.ping();
      }
    }
    for (const [ws, terminal] of dead) {
      this.unwatch(ws);
      this.onDead(ws, terminal);
    }
    if (this.watched.size > 0) this.timer ??= this.clock.setTimeout(() => this.sweep(), this.intervalMs);
  }
}
