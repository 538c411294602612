import { headerValue } from '../auth.js';
import type { PageRequest } from './context.js';

/** A stream further behind than this gets no more alarm events (the alert stream cuts it off itself). */
const MAX_BACKLOG_BYTES = 1 << 20;

/**
 * GET /console/events: the hub's own alert stream (alert-stream.ts: alert, cleared, silent, back, with
 * ids and Last-Event-ID replay, across every hub of the fleet), plus an `alarm` event after each change
 * to an alarm made on this hub (its id and what happened). The alarm event comes once the change is
 * stored, so a page that refreshes on it sees it; an `alert` may come before its alarm is written.
 */
export function consoleEvents(p: PageRequest): void {
  p.ctx.alerts.subscribe(p.res, headerValue(p.req, 'last-event-id'));
  const off = p.ctx.alarms.events.on((event) => {
    if (p.res.writableEnded || p.res.destroyed || p.res.writableLength > MAX_BACKLOG_BYTES) return;
    p.res.write(`event: alarm\ndata: ${JSON.stringify({ id: event.alarm.id, type: event.type, terminal: event.alarm.terminal })}\n\n`);
  });
  p.res.once('close', off);
}
