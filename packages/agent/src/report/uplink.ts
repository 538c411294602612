import WebSocket from 'ws';
import type { ClientOptions, RawData } from 'ws';
import { scrubText } from '../core/card-scrubber.js';
import type { Clock, TimerHandle } from 'posdiag-protocol';
import { backoffDelay, fullJitterDelay, type BackoffPolicy } from 'posdiag-protocol';
import type { Logger } from '../log/logger.js';
import type { Outbox } from './outbox-contract.js';
import { hubMessage, MAX_FRAME_BYTES, splitBundle, TERMINAL_HEADER } from 'posdiag-protocol';
import type { AgentMessage, HubMessage, Report, TerminalInventory } from 'posdiag-protocol';
import { SendWindow } from './uplink/send-window.js';

/**
 * The agent's WebSocket link to the hub (SPEC §7): delivers the outbox in seq order and takes commands.
 *
 * Invariants:
 * - A report leaves the outbox only on the hub's ack; a connection lost with reports in flight simply
 *   resends, after reconnecting, everything `outbox.pending()` still holds, in seq order (the hub stores
 *   each id once and acks duplicates).
 * - At most `window` reports are unacked on a connection, and nothing is sent while the socket's own
 *   buffer holds more than `maxBufferedBytes`: memory stays bounded on a slow link.
 * - Every timer runs on the injected Clock; nothing here throws into the caller: a refused handshake,
 *   a dead link or a malformed hub frame is logged and handled by reconnecting or ignoring.
 * - A report the hub refuses (an `error` frame whose `ref` is its id) is, by the frame's `retryable`:
 *   true (the hub could not store it now): sent again on the same connection after a capped backoff,
 *   during which nothing new is sent; false (invalid, conflict: it never will be stored): dropped from
 *   the outbox, counted in `status().refused` and logged once, so it cannot hold the window or loop;
 *   absent (a hub older than the field): kept in the outbox and sent again on the next connection only.
 * - With several hubs (`url` a list), a failed attempt or a dropped link moves to the next hub in the
 *   list, round-robin. The capped backoff is per round over the list, not per hub: the hubs of one round
 *   are tried back to back, so a hub that is down costs one failed attempt, and the delay comes before
 *   each new round. A link to a later hub is kept while it lasts: the agent does not go back to the
 *   first one by itself but moves on only when that link drops, because every move is a reconnect and
 *   a report whose ack was lost in one is stored by both hubs unless they share a store. Whichever hub
 *   it reaches, the welcome is followed by everything still pending, as after any reconnect.
 */

export type UplinkState = 'connecting' | 'open' | 'closed';

export interface UplinkStateDetail {
  /** WebSocket close code and reason, when the link closed. */
  code?: number;
  reason?: string;
  /** HTTP status of a refused handshake (401: bad credentials). */
  statusCode?: number;
  /** Delay before the next connection attempt; absent once stopped. */
  retryInMs?: number;
}

export type HubCommand = Extract<HubMessage, { type: 'command' }>;

export interface UplinkStatus {
  state: UplinkState;
  inFlight: number;
  lastAckedSeq: number;
  reconnects: number;
  /** Reports the hub refused for good (and the outbox dropped) since start. */
  refused: number;
}

/** The link as `posdiag status` shows it. */
export interface UplinkDelivery {
  state: UplinkState;
  /** Open and welcomed by the hub: reports flow. */
  connected: boolean;
  /** ms epoch (the injected clock) of the hub's latest ack; null before the first. */
  lastAckAt: number | null;
  /** Reports the hub has not acknowledged yet (the outbox's pending ones). */
  pending: number;
  /** The hub of the link or of the attempt under way; while waiting to retry, the one tried next. */
  url: string;
}

export type CreateSocket = (url: string, options: ClientOptions) => WebSocket;

export interface UplinkOptions {
  /** The hub's `/agent` URL, or several hubs, tried in this order; the TLS options apply to every one. */
  url: string | readonly string[];
  token?: string;
  terminal: string;
  /** PEM contents (not paths): the hub CA, and the client certificate and key for mutual TLS. */
  ca?: string;
  cert?: string;
  key?: string;
  outbox: Outbox;
  clock: Clock;
  log: Logger;
  agentVersion: string;
  /** What `hello` tells the hub of the terminal (model, serial, firmware as far as known); none when absent. */
  inventory?: TerminalInventory;
  /** Most reports sent and not yet acked on one connection. */
  window?: number;
  backoff?: BackoffPolicy;
  /** Delays before sending again, on the same connection, reports the hub could not store now. */
  resendBackoff?: BackoffPolicy;
  pingIntervalMs?: number;
  pongTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** How long `stop()` waits for the closing handshake before cutting the connection. */
  closeTimeoutMs?: number;
  /** Sending pauses while the socket buffers more than this many bytes. */
  maxBufferedBytes?: number;
  random?: () => number;
  createSocket?: CreateSocket;
}

const defaultCreateSocket: CreateSocket = (url, options) => new WebSocket(url, options);

/** Reconnect delays (with full jitter). */
const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 1_000, maxMs: 60_000 };
const DEFAULT_RESEND_BACKOFF: BackoffPolicy = { initialMs: 1_000, maxMs: 30_000 };

/** One connection attempt and what belongs to it alone. */
interface Session {
  socket: WebSocket;
  /** Made at the hub's welcome; reports are sent only after it. */
  window?: SendWindow;
  /** HTTP status when the hub refused the upgrade. */
  refusedWith?: number;
  /** Set while sending pauses because the hub could not store reports now; they go again when it fires. */
  resendTimer?: TimerHandle;
  /** Pauses in a row without an ack outside a pause between them: the backoff's failure count. */
  busyRounds: number;
}

export class Uplink {
  private readonly window: number;
  private readonly backoff: BackoffPolicy;
  private readonly resendBackoff: BackoffPolicy;
  private readonly pingIntervalMs: number;
  private readonly pongTimeoutMs: number;
  private readonly connectTimeoutMs: number;
  private readonly closeTimeoutMs: number;
  private readonly maxBufferedBytes: number;
  private readonly random: () => number;
  private readonly createSocket: CreateSocket;
  private readonly log: Logger;
  private readonly urls: readonly string[];

  private running = false;
  /** Index in `urls` of the hub of the current session, or of the next attempt. */
  private urlIndex = 0;
  /** Hubs this round of attempts has still to try before the next backoff delay. */
  private untriedInRound = 0;
  private session: Session | undefined;
  private state: UplinkState = 'closed';
  /** Connect deadline, then ping interval and pong deadline in turn: one liveness timer per session. */
  private livenessTimer: TimerHandle | undefined;
  private reconnectTimer: TimerHandle | undefined;
  private attempt = 0;
  private reconnects = 0;
  private lastAckedSeq = 0;
  private lastAckAt: number | null = null;
  private refused = 0;

  private readonly commandListeners: Array<(cmd: HubCommand) => void> = [];
  private readonly stateListeners: Array<(state: UplinkState, detail?: UplinkStateDetail) => void> = [];
  private readonly welcomeListeners: Array<(serverTime: string) => void> = [];

  constructor(private readonly opts: UplinkOptions) {
    this.window = opts.window ?? 32;
    this.backoff = opts.backoff ?? DEFAULT_BACKOFF;
    this.resendBackoff = opts.resendBackoff ?? DEFAULT_RESEND_BACKOFF;
    this.pingIntervalMs = opts.pingIntervalMs ?? 30_000;
    this.pongTimeoutMs = opts.pongTimeoutMs ?? 10_000;
    this.connectTimeoutMs = opts.connectTimeoutMs ?? 15_000;
    this.closeTimeoutMs = opts.closeTimeoutMs ?? 2_000;
    this.maxBufferedBytes = opts.maxBufferedBytes ?? 1024 * 1024;
    this.random = opts.random ?? Math.random;
    this.createSocket = opts.createSocket ?? defaultCreateSocket;
    this.log = opts.log;
    this.urls = typeof opts.url === 'string' ? [opts.url] : [...opts.url];
    // The outbox has no unsubscribe, so the uplink subscribes once for its lifetime; records made
    // while disconnected are picked up from `pending()` at the next welcome.
    opts.outbox.onRecord((report) => {
      if (!this.session?.window) return;
      this.session.window.enqueue(report);
      this.pump();
    });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    // The first round starts at once, as every round after a backoff delay does.
    this.untriedInRound = this.urls.length - 1;
    this.connect();
  }

  /** Closes the link and stops reconnecting. Unacked reports stay in the outbox for the next start. */
  async stop(): Promise<void> {
    this.running = false;
    this.clearReconnect();
    const session = this.session;
    if (!session) return;
    await new Promise<void>((resolve) => {
      session.socket.once('close', () => resolve());
      // A peer that never answers the close frame is cut off: shutdown must not hang on the network.
      this.arm(this.closeTimeoutMs, () => session.socket.terminate());
      session.socket.close(1001, 'agent stopping');
    });
  }

  onCommand(listener: (cmd: HubCommand) => void): void {
    this.commandListeners.push(listener);
  }

  onState(listener: (state: UplinkState, detail?: UplinkStateDetail) => void): void {
    this.stateListeners.push(listener);
  }

  /** The hub's clock at the welcome, for skew detection. */
  onWelcome(listener: (serverTime: string) => void): void {
    this.welcomeListeners.push(listener);
  }

  /** Answers a hub command; false when there is no open link to send it on. */
  sendCommandResult(commandId: string, ok: boolean, detail: string): boolean {
    const socket = this.session?.socket;
    if (socket?.readyState !== WebSocket.OPEN) return false;
    // The detail is free text (error messages from devices among it): scrubbed like every log line.
    this.send(socket, { type: 'command_result', commandId, ok, detail: scrubText(detail).slice(0, 2000) });
    return true;
  }

  /**
   * Sends a diagnostic bundle the hub asked for, chunk by chunk on the open link, each chunk only once
   * the previous one is written out (so the socket buffer stays small). Rejects when there is no link or
   * it closes on the way: the hub's operator asks again; a bundle is not worth an outbox entry.
   */
  async sendBundle(commandId: string, bundle: Buffer): Promise<void> {
    const socket = this.session?.socket;
    if (socket?.readyState !== WebSocket.OPEN) throw new Error('no open link to the hub');
    for (const chunk of splitBundle(commandId, bundle)) {
      if (socket.readyState !== WebSocket.OPEN) throw new Error('the link to the hub closed while the bundle was being sent');
      await new Promise<void>((resolve, reject) => socket.send(JSON.stringify(chunk satisfies AgentMessage), (err) => (err ? reject(err) : resolve())));
    }
  }

  status(): UplinkStatus {
    return {
      state: this.state,
      inFlight: this.session?.window?.inFlight ?? 0,
      lastAckedSeq: this.lastAckedSeq,
      reconnects: this.reconnects,
      refused: this.refused,
    };
  }

  delivery(): UplinkDelivery {
    return {
      state: this.state,
      connected: this.state === 'open' && this.session?.window !== undefined,
      lastAckAt: this.lastAckAt,
      pending: this.opts.outbox.stats().pending,
      url: this.url,
    };
  }

  private get url(): string {
    return this.urls[this.urlIndex]!;
  }

  private connect(): void {
    const headers: Record<string, string> = { [TERMINAL_HEADER]: this.opts.terminal };
    if (this.opts.token) headers.Authorization = `Bearer ${this.opts.token}`;
    const url = this.url;
    let socket: WebSocket;
    try {
      socket = this.createSocket(url, {
        headers,
        ca: this.opts.ca,
        cert: this.opts.cert,
        key: this.opts.key,
        maxPayload: MAX_FRAME_BYTES,
        // Deflate costs 12× the CPU for 2.6× fewer bytes on reports this small (toolchain.md).
        perMessageDeflate: false,
      });
    } catch (err) {
      this.log.error({ url, err: String(err) }, 'cannot open hub connection');
      this.scheduleReconnect({});
      return;
    }
    const session: Session = { socket, busyRounds: 0 };
    this.session = session;
    this.setState('connecting');
    this.arm(this.connectTimeoutMs, () => {
      this.log.warn({ timeoutMs: this.connectTimeoutMs }, 'hub connection attempt timed out');
      socket.terminate();
    });

    socket.on('unexpected-response', (_req, res) => {
      session.refusedWith = res.statusCode;
      if (res.statusCode === 401) this.log.error({ statusCode: 401 }, 'authentication refused by hub');
      else this.log.warn({ statusCode: res.statusCode }, 'hub refused the WebSocket handshake');
      socket.terminate();
    });
    socket.on('error', (err) => {
      // A refused handshake was logged above; the abort it causes is not news.
      if (session.refusedWith === undefined) this.log.warn({ url, err: err.message }, 'hub connection error');
    });
    socket.on('open', () => {
      this.setState('open');
      this.send(socket, {
        type: 'hello',
        terminal: this.opts.terminal,
        agentVersion: this.opts.agentVersion,
        lastSeq: this.opts.outbox.lastSeq(),
        ...(this.opts.inventory ? { inventory: this.opts.inventory } : {}),
      });
      this.arm(this.pingIntervalMs, () => this.ping(session));
    });
    socket.on('pong', () => {
      // While stopping, the armed timer is the close deadline and must stay.
      if (this.running && this.session === session) this.arm(this.pingIntervalMs, () => this.ping(session));
    });
    socket.on('message', (data, isBinary) => {
      if (this.session === session) this.receive(session, data, isBinary);
    });
    socket.on('close', (code, reason) => {
      if (this.session !== session) return;
      this.disarm();
      if (session.resendTimer) this.opts.clock.clearTimeout(session.resendTimer);
      this.session = undefined;
      const detail: UplinkStateDetail = { code, reason: reason.toString() };
      if (session.refusedWith !== undefined) detail.statusCode = session.refusedWith;
      if (this.running) this.scheduleReconnect(detail);
      else this.setState('closed', detail);
    });
  }

  private ping(session: Session): void {
    // The ping tick also retries sending held back by a full socket buffer.
    this.pump();
    session.socket.ping();
    this.arm(this.pongTimeoutMs, () => {
      this.log.warn({ timeoutMs: this.pongTimeoutMs }, 'no pong from hub: link presumed dead');
      session.socket.terminate();
    });
  }

  private receive(session: Session, data: RawData, isBinary: boolean): void {
    if (isBinary) {
      this.log.warn({}, 'ignored binary frame from hub');
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(data.toString());
    } catch {
      this.log.warn({ reason: 'not JSON' }, 'ignored invalid hub message');
      return;
    }
    const result = hubMessage.safeParse(parsed);
    if (!result.success) {
      const reason = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
      this.log.warn({ reason }, 'ignored invalid hub message');
      return;
    }
    const msg = result.data;
    switch (msg.type) {
      case 'welcome':
        this.welcome(session, msg);
        break;
      case 'ack':
        this.ack(session, msg);
        break;
      case 'error':
        this.hubError(session, msg);
        break;
      case 'command':
        this.log.info({ id: msg.id, name: msg.name }, 'hub command');
        this.emit(this.commandListeners, msg);
        break;
    }
  }

  private welcome(session: Session, msg: Extract<HubMessage, { type: 'welcome' }>): void {
    // The round succeeded: when this link drops, a new one begins, after a delay.
    this.attempt = 0;
    this.untriedInRound = 0;
    const lastSeq = this.opts.outbox.lastSeq();
    if (msg.lastSeq > lastSeq) {
      this.log.warn({ hubLastSeq: msg.lastSeq, lastSeq }, 'hub has seen later seqs than the outbox holds');
    }
    session.window = new SendWindow(this.window, this.opts.outbox.pending());
    this.emit(this.welcomeListeners, msg.serverTime);
    this.pump();
  }

  private ack(session: Session, msg: Extract<HubMessage, { type: 'ack' }>): void {
    // An answer to a report sent before the pause says nothing about whether the hub stores again.
    if (!session.resendTimer) session.busyRounds = 0;
    if (!session.window?.settle(msg.id)) this.log.debug({ id: msg.id, seq: msg.seq }, 'ack for a report not in flight');
    this.lastAckedSeq = Math.max(this.lastAckedSeq, msg.seq);
    this.lastAckAt = this.opts.clock.now();
    // The hub stored it durably, so the outbox may drop it whether or not it was in flight here.
    this.opts.outbox.ack(msg.id).catch((err: unknown) => {
      this.log.error({ id: msg.id, err: String(err) }, 'outbox ack failed; the report will be sent again');
    });
    this.pump();
  }

  private hubError(session: Session, msg: Extract<HubMessage, { type: 'error' }>): void {
    if (msg.retryable === true && msg.ref !== null && session.window?.requeue(msg.ref)) return this.resendLater(session, msg.ref, msg.reason);
    const report = msg.ref === null ? undefined : session.window?.settle(msg.ref);
    if (!report) {
      this.log.warn({ ref: msg.ref, reason: msg.reason }, 'hub reported an error');
      return;
    }
    if (msg.retryable === false) this.dropRefused(report, msg.reason);
    else this.log.error({ id: report.id, reason: msg.reason }, 'hub rejected a report; kept for retry on next connection');
    this.pump();
  }

  /** Pauses sending (once per round of refusals) and sends what the hub could not store again afterwards. */
  private resendLater(session: Session, id: string, reason: string): void {
    if (session.resendTimer) return;
    const delay = backoffDelay(this.resendBackoff, ++session.busyRounds);
    this.log.warn({ id, reason, resendInMs: delay }, 'hub could not store a report now; sending it again on this connection');
    session.resendTimer = this.opts.clock.setTimeout(() => {
      session.resendTimer = undefined;
      this.pump();
    }, delay);
  }

  /** Sending it again can never succeed: dropped, so it neither holds the outbox nor comes back at every connection. */
  private dropRefused(report: Report, reason: string): void {
    this.refused++;
    this.log.error(
      { code: 'agent.report_refused', id: report.id, seq: report.seq, kind: report.kind, reason, refused: this.refused },
      'hub refused a report for good; dropped from the outbox',
    );
    this.opts.outbox.ack(report.id).catch((err: unknown) => {
      this.log.error({ id: report.id, err: String(err) }, 'dropping the refused report failed; it will be sent again on the next connection');
    });
  }

  /** Sends what the window and the socket buffer allow. */
  private pump(): void {
    const session = this.session;
    const window = session?.window;
    if (!session || !window || session.resendTimer || session.socket.readyState !== WebSocket.OPEN) return;
    while (session.socket.bufferedAmount <= this.maxBufferedBytes) {
      const report = window.take();
      if (!report) return;
      const frame = JSON.stringify({ type: 'report', report } satisfies AgentMessage);
      const bytes = Buffer.byteLength(frame);
      if (bytes > MAX_FRAME_BYTES) {
        // The hub would close the connection on it (1009) and the resend would do it again.
        this.log.error({ id: report.id, seq: report.seq, bytes }, 'report too large to send; kept in outbox');
        window.settle(report.id);
        continue;
      }
      // Once the frame is written out the buffer has room again: a send held back may go now.
      session.socket.send(frame, (err) => {
        if (!err) this.pump();
      });
    }
  }

  private send(socket: WebSocket, msg: AgentMessage): void {
    socket.send(JSON.stringify(msg));
  }

  /**
   * The next attempt goes to the next hub: at once (a zero delay, so `stop()` still cancels it) while
   * this round has hubs left to try, else after the backoff delay, which starts a new round. A welcomed
   * link that dropped waits for the delay too: full jitter spreads a fleet that lost its hub at the same
   * moment, whichever hub they all move to.
   */
  private scheduleReconnect(detail: UplinkStateDetail): void {
    const url = this.url;
    this.urlIndex = (this.urlIndex + 1) % this.urls.length;
    let delay = 0;
    if (this.untriedInRound > 0) this.untriedInRound--;
    else {
      delay = fullJitterDelay(this.attempt++, this.backoff, this.random);
      this.untriedInRound = this.urls.length - 1;
    }
    this.reconnectTimer = this.opts.clock.setTimeout(() => {
      this.reconnectTimer = undefined;
      this.reconnects++;
      this.connect();
    }, delay);
    this.log.info({ ...detail, url, retryInMs: delay }, 'hub link closed');
    this.setState('closed', { ...detail, retryInMs: delay });
  }

  private clearReconnect(): void {
    if (this.reconnectTimer) this.opts.clock.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
  }

  private arm(ms: number, fn: () => void): void {
    this.disarm();
    this.livenessTimer = this.opts.clock.setTimeout(() => {
      this.livenessTimer = undefined;
      fn();
    }, ms);
  }

  private disarm(): void {
    if (this.livenessTimer) this.opts.clock.clearTimeout(this.livenessTimer);
    this.livenessTimer = undefined;
  }

  private setState(state: UplinkState, detail?: UplinkStateDetail): void {
    this.state = state;
    this.emit(this.stateListeners, state, detail);
  }

  /** Calls listeners; one that throws is logged and does not break the link or the others. */
  private emit<A extends unknown[]>(listeners: Array<(...args: A) => void>, ...args: A): void {
    for (const listener of listeners) {
      try {
        listener(...args);
      } catch (err) {
        this.log.error({ err: String(err) }, 'uplink listener threw');
      }
    }
  }
}
