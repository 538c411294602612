import type WebSocket from 'ws';
import type { Clock, TimerHandle } from 'posdiag-protocol';

/** How often the hub pings each agent connection unless told otherwise. */
export const DEFAULT_PING_INTERVAL_MS = 30_000;

/**
 * Pings `ws` every `intervalMs` on `clock` and calls `onDead` once, instead of the next ping, when the
 * previous ping got no pong: a half-open connection (agent gone without a FIN) is otherwise never
 * noticed. Stops by itself when the socket closes; `onDead` must end the connection.
 */
export function keepAlive(ws: WebSocket, clock: Clock, intervalMs: number, onDead: () => void): void {
  let awaitingPong = false;
  let timer: TimerHandle | undefined;
  const tick = () => {
    timer = undefined;
    if (awaitingPong) return onDead();
    awaitingPong = true;
    ws.ping();
    timer = clock.setTimeout(tick, intervalMs);
  };
  ws.on('pong', () => (awaitingPong = false));
  ws.once('close', () => {
    if (timer !== undefined) clock.clearTimeout(timer);
    timer = undefined;
  });
  timer = clock.setTimeout(tick, intervalMs);
}
