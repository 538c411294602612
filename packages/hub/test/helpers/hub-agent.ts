import WebSocket from 'ws';
import { hubMessage, type HubMessage } from 'posdiag-protocol';

/**
 * A minimal test agent: a real `ws` client that queues every hub message (validated against the
 * protocol schema) so tests can await them in order.
 */
export class TestAgent {
  private readonly queue: HubMessage[] = [];
  private waiter: ((m: HubMessage) => void) | undefined;
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const message = hubMessage.parse(JSON.parse(data.toString()));
      if (this.waiter) {
        const w = this.waiter;
        this.waiter = undefined;
        w(message);
      } else this.queue.push(message);
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  /**
   * Connects with the handshake headers (no Authorization header when `token` is null, e.g. to
   * authenticate by client certificate); rejects if the upgrade is refused.
   */
  static connect(url: string, terminal: string, token: string | null, options: WebSocket.ClientOptions = {}): Promise<TestAgent> {
    const headers: Record<string, string> = { 'x-posdiag-terminal': terminal };
    if (token !== null) headers.authorization = `Bearer ${token}`;
    const ws = new WebSocket(url, { ...options, headers: { ...headers, ...options.headers } });
    const agent = new TestAgent(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(agent));
      ws.once('unexpected-response', (req, res) => {
        req.destroy();
        reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode }));
      });
      ws.once('error', reject);
    });
  }

  /** The next message from the hub, in arrival order. */
  next(): Promise<HubMessage> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve) => (this.waiter = resolve));
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Sends a report and returns the hub's answer to it. */
  async report(report: unknown): Promise<HubMessage> {
    this.send({ type: 'report', report });
    return this.next();
  }

  async close(): Promise<void> {
    if (this.ws.readyState !== WebSocket.CLOSED) this.ws.close();
    await this.closed;
  }
}
