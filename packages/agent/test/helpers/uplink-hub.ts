import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type WebSocket from 'ws';
import { agentMessage, type AgentMessage, type HubMessage, type Report } from 'posdiag-protocol';

/**
 * A scriptable stand-in for the hub, for uplink tests: a real `ws` server on 127.0.0.1 at `/agent`
 * that checks the bearer token, welcomes each connection, records what the agent sends and acks
 * reports (at once, or when the test says). Tests wait on `until(...)`, which re-checks its condition
 * on every hub event: no sleeps.
 */
export class FakeHub {
  readonly url: string;
  /** Every report frame received, across connections, in arrival order. */
  readonly received: Array<{ connection: number; report: Report }> = [];
  readonly hellos: Array<Extract<AgentMessage, { type: 'hello' }>> = [];
  readonly commandResults: Array<Extract<AgentMessage, { type: 'command_result' }>> = [];
  /** Reports received and not yet acked, on the current connection. */
  readonly unacked: Report[] = [];
  /** Most reports ever outstanding (received, unacked) on one connection. */
  maxOutstanding = 0;
  connections = 0;
  refused = 0;
  pings = 0;
  autoAck = true;
  /**
   * Called for every report received. Instead of an ack: 'reject' answers with an error frame as a hub
   * that predates `retryable` does, 'busy' with a retryable one (storage busy), 'refuse' with a final one.
   */
  onReport: (report: Report, connection: number) => 'ack' | 'reject' | 'busy' | 'refuse' | 'hold' = () => (this.autoAck ? 'ack' : 'hold');
  current: WebSocket | undefined;
  private readonly events = new EventEmitter();

  private constructor(
    private readonly server: WebSocketServer,
    readonly token: string,
  ) {
    const port = (server.address() as AddressInfo).port;
    this.url = `ws://127.0.0.1:${port}/agent`;
    server.on('connection', (ws) => this.accept(ws));
  }

  static async start(options: { token?: string; autoPong?: boolean } = {}): Promise<FakeHub> {
    const token = options.token ?? 'secret-token';
    let hub: FakeHub | undefined;
    const server = new WebSocketServer({
      host: '127.0.0.1',
      port: 0,
      path: '/agent',
      autoPong: options.autoPong ?? true,
      verifyClient: (info, done) => {
        const ok = info.req.headers.authorization === `Bearer ${token}` && info.req.headers['x-posdiag-terminal'] === 'T-0001';
        if (!ok && hub) {
          hub.refused++;
          hub.changed();
        }
        done(ok, 401, 'Unauthorized');
      },
    });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    hub = new FakeHub(server, token);
    return hub;
  }

  /** Resolves once `check()` holds; re-checked after every hub event. */
  until(check: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      if (check()) return resolve();
      const onChange = () => {
        if (!check()) return;
        this.events.off('change', onChange);
        resolve();
      };
      this.events.on('change', onChange);
    });
  }

  send(message: HubMessage | Record<string, unknown> | string): void {
    this.current?.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  ack(report: Report): void {
    const i = this.unacked.indexOf(report);
    if (i >= 0) this.unacked.splice(i, 1);
    this.send({ type: 'ack', id: report.id, seq: report.seq, duplicate: false });
  }

  ackAll(): void {
    for (const report of [...this.unacked]) this.ack(report);
  }

  /** The distinct report seqs received, sorted. */
  storedSeqs(): number[] {
    return [...new Set(this.received.map((r) => r.report.seq))].sort((a, b) => a - b);
  }

  async close(): Promise<void> {
    for (const ws of this.server.clients) ws.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(ws: WebSocket): void {
    const connection = ++this.connections;
    this.current = ws;
    this.unacked.length = 0;
    ws.on('ping', () => {
      this.pings++;
      this.changed();
    });
    ws.on('message', (data) => {
      const message = agentMessage.parse(JSON.parse(data.toString()));
      if (message.type === 'hello') this.hellos.push(message);
      if (message.type === 'command_result') this.commandResults.push(message);
      if (message.type === 'report') this.receiveReport(message.report, connection);
      this.changed();
    });
    ws.on('close', () => this.changed());
    this.send({ type: 'welcome', serverTime: '2026-01-01T00:00:05.000Z', lastSeq: 0 });
    this.changed();
  }

  private receiveReport(report: Report, connection: number): void {
    this.received.push({ connection, report });
    const verdict = this.onReport(report, connection);
    if (verdict === 'reject' || verdict === 'busy' || verdict === 'refuse') {
      const retryable = { reject: {}, busy: { retryable: true }, refuse: { retryable: false } }[verdict];
      this.send({ type: 'error', reason: verdict === 'busy' ? 'database is locked' : 'invalid report', ref: report.id, ...retryable });
      return;
    }
    this.unacked.push(report);
    this.maxOutstanding = Math.max(this.maxOutstanding, this.unacked.length);
    if (verdict === 'ack') this.ack(report);
  }

  private changed(): void {
    this.events.emit('change');
  }
}
