import type { ServerResponse } from 'node:http';
import type { StoredMeta } from './agent-socket.js';
import type { PresenceEvent } from './terminal-presence.js';
import type { StoredReport } from './store.js';

/** A subscriber further behind than this is cut off rather than buffered without bound. */
const MAX_BACKLOG_BYTES = 1 << 20;

/**
 * The provider's live alert feed, `GET /api/alerts` (Server-Sent Events): an `alert` the moment a fault
 * that is not inhibited is raised, and a `cleared` when such a fault clears. Inhibited faults (explained
 * by a root cause) and stale updates never reach it. Each event's `id` is the report id. A terminal
 * that falls silent (see terminal-presence) is a `silent` event, and `back` when it is heard from again.
 */
export class AlertStream {
  private readonly subscribers = new Set<ServerResponse>();

  subscribe(res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
    // A comment line: proxies and clients see the stream is open before the first alert.
    res.write(': posdiag alerts\n\n');
    this.subscribers.add(res);
    res.on('close', () => this.subscribers.delete(res));
  }

  publish(row: StoredReport, meta: StoredMeta): void {
    if (row.kind !== 'fault') return;
    const event = meta.alert ? 'alert' : meta.cleared ? 'cleared' : null;
    if (!event || this.subscribers.size === 0) return;
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
    this.write(`id: ${row.id}\nevent: ${event}\ndata: ${data}\n\n`);
  }

  publishPresence(event: PresenceEvent): void {
    const { type, ...data } = event;
    this.write(`id: ${event.terminal}@${event.lastHeard}/${type}\nevent: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
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

  close(): void {
    for (const res of this.subscribers) res.end();
    this.subscribers.clear();
  }
}
