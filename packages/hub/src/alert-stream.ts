import type { ServerResponse } from 'node:http';
import type { Clock, TimerHandle } from 'posdiag-protocol';
import type { StoredMeta } from './agent-socket.js';
import type { StreamEvent } from './fleet/fleet.js';
import type { PresenceEvent } from './fleet/terminal-presence.js';
import type { StoredReport } from './store/store.js';

/** A subscriber further behind than this is cut off rather than buffered without bound. */
const MAX_BACKLOG_BYTES = 1 << 20;
/** A comment this often keeps proxies and load balancers from closing a quiet stream as idle. */
export const DEFAULT_KEEPALIVE_MS = 15_000;

export interface ReplayRing {
  /** Most recent events kept for clients that reconnect with Last-Event-ID. */
  events: number;
  /** And at most this many bytes of them (a repair request makes an alert several KiB). */
  bytes: number;
}

export const DEFAULT_REPLAY_RING: ReplayRing = { events: 1_000, bytes: 4 << 20 };

/** Longest Last-Event-ID taken from a client; ours are far shorter. */
const MAX_LAST_EVENT_ID = 256;

/** The stream's event for a stored report: an `alert` or a `cleared`, or null when it is neither. */
export function reportEvent(row: StoredReport, meta: StoredMeta): StreamEvent | null {
  if (row.kind !== 'fault') return null;
  const event = meta.alert ? 'alert' : meta.cleared ? 'cleared' : null;
  if (!event) return null;
  const data = JSON.stringify({
    terminal: row.terminal,
    seq: row.seq,
    code: row.code,
    instance: row.instance,
    category: row.category,
    severity: row.severity,
    state: row.state,
    since: row.since,
    summary: row.summary,
    needsTechnician: row.needsTechnician,
    receivedAt: row.receivedAt,
    ...(row.repairRequest ? { repairRequest: row.repairRequest } : {}),
  });
  return { id: row.id, event, data };
}

/** The stream's event for a terminal that fell silent or came back. */
export function presenceEvent(event: PresenceEvent): StreamEvent {
  const { type, ...data } = event;
  return { id: `${event.terminal}@${event.lastHeard}/${type}`, event: type, data: JSON.stringify(data) };
}

interface KeptEvent {
  id: string;
  frame: string;
}

/**
 * The provider's live alert feed, `GET /api/alerts` (Server-Sent Events): an `alert` the moment a fault
 * that is not inhibited is raised, and a `cleared` when such a fault clears. Inhibited faults (explained
 * by a root cause) and stale updates never reach it. A terminal that falls silent (see
 * fleet/terminal-presence) is a `silent` event, and `back` when it is heard from again. With many hub
 * processes on one database, every hub's stream carries every hub's events: the fleet (fleet/fleet.ts)
 * delivers them to each hub's stream, its own at once.
 *
 * Every event has an `id` (the report id; `TERMINAL@LASTHEARD/TYPE` for presence). The most recent
 * events are kept in memory (`DEFAULT_REPLAY_RING`), so a client that reconnects with `Last-Event-ID`
 * (as EventSource does by itself) first gets what it missed. When that id is no longer kept (too old, or
 * from before a hub restart) it gets a `missed` event, without an id, saying so, then every event kept:
 * `GET /api/faults?state=open` has the current state. A `: keepalive` comment goes out every
 * `keepaliveMs` while anyone listens.
 */
export class AlertStream {
  private readonly subscribers = new Set<ServerResponse>();
  /** Oldest first. */
  private readonly kept: KeptEvent[] = [];
  private keptBytes = 0;
  private keepaliveTimer: TimerHandle | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly keepaliveMs = DEFAULT_KEEPALIVE_MS,
    private readonly ring: ReplayRing = DEFAULT_REPLAY_RING,
  ) {
    if (!(keepaliveMs > 0)) throw new RangeError(`keepaliveMs must be positive (got ${keepaliveMs})`);
  }

  /** `lastEventId`: the client's Last-Event-ID header, when it reconnects. */
  subscribe(res: ServerResponse, lastEventId?: string): void {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
    // A comment line: proxies and clients see the stream is open before the first alert.
    res.write(': posdiag alerts\n\n');
    if (lastEventId) this.replay(res, lastEventId.slice(0, MAX_LAST_EVENT_ID));
    this.subscribers.add(res);
    res.on('close', () => this.subscribers.delete(res));
    this.armKeepalive();
  }

  /** Open streams now (the hub's metrics). */
  subscriberCount(): number {
    return this.subscribers.size;
  }

  /** Sends the events to every subscriber and keeps them for replay: what every hub's fleet delivers. */
  deliver(events: readonly StreamEvent[]): void {
    for (const { id, event, data } of events) this.emit(id, event, data);
  }

  close(): void {
    if (this.keepaliveTimer) this.clock.clearTimeout(this.keepaliveTimer);
    this.keepaliveTimer = undefined;
    for (const res of this.subscribers) res.end();
    this.subscribers.clear();
  }

  private emit(id: string, event: string, data: string): void {
    const frame = `id: ${id}\nevent: ${event}\ndata: ${data}\n\n`;
    this.keep({ id, frame });
    this.write(frame);
  }

  private keep(event: KeptEvent): void {
    this.kept.push(event);
    this.keptBytes += event.frame.length;
    while (this.kept.length > this.ring.events || (this.keptBytes > this.ring.bytes && this.kept.length > 1)) {
      this.keptBytes -= this.kept.shift()!.frame.length;
    }
  }

  private replay(res: ServerResponse, lastEventId: string): void {
    let at = -1;
    for (let i = this.kept.length - 1; i >= 0 && at === -1; i--) if (this.kept[i]!.id === lastEventId) at = i;
    if (at === -1) {
      const notice = { lastEventId, replayed: this.kept.length, reason: 'that event is no longer kept: events may have been missed; GET /api/faults?state=open has the current state' };
      res.write(`event: missed\ndata: ${JSON.stringify(notice)}\n\n`);
    }
    for (const event of this.kept.slice(at + 1)) res.write(event.frame);
  }

  private armKeepalive(): void {
    this.keepaliveTimer ??= this.clock.setTimeout(() => {
      this.keepaliveTimer = undefined;
      if (this.subscribers.size === 0) return;
      this.write(': keepalive\n\n');
      this.armKeepalive();
    }, this.keepaliveMs);
  }

  private write(frame: string): void {
    for (const res of this.subscribers) {
      if (res.writableLength > MAX_BACKLOG_BYTES) {
        this.subscribers.delete(res);
        res.destroy();
        continue;
      }
      res.write(frame);
    }
  }
}
