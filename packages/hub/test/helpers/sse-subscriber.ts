import { get, type IncomingMessage } from 'node:http';

export interface SseEvent {
  /** Absent for an event sent without an id (the stream's `missed` notice). */
  id: string;
  event: string;
  data: Record<string, unknown>;
}

/**
 * A subscriber to a Server-Sent Events stream (the hub's GET /api/alerts) that parses the events it
 * receives into `events` and keeps every comment line in `comments`, in arrival order.
 */
export function subscribe(url: string, headers: Record<string, string> = {}): Promise<{ events: SseEvent[]; res: IncomingMessage; comments: string[] }> {
  return new Promise((resolve, reject) => {
    get(url, { headers }, (res) => {
      const events: SseEvent[] = [];
      const comments: string[] = [];
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          comments.push(...block.split('\n').filter((l) => l.startsWith(':')));
          const fields = Object.fromEntries(block.split('\n').filter((l) => !l.startsWith(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]));
          if (fields.event) events.push({ id: fields.id!, event: fields.event, data: JSON.parse(fields.data!) });
        }
      });
      resolve({ events, res, comments });
    }).on('error', reject);
  });
}
