import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { MAX_FRAME_BYTES, TERMINAL_HEADER, type Report } from 'posdiag-protocol';
import { makeFaultReport, makeHeartbeat } from '../../test/support/reports.js';

/**
 * Bench terminals: bare `ws` clients that speak just enough of the agent's protocol (SPEC §7) to load
 * a hub: the handshake headers, wait for `welcome`, then `report` frames, counting the answers. The
 * same clients load the raw `ws` baseline (bench/support/raw-ws-server.ts), which greets and acks alike.
 */

/** The agent's Uplink default: at most this many reports unacked per connection (report/uplink.ts). */
export const WINDOW = 32;
/** Every FAULT_EVERY-th report is a fault (raised, then cleared, then raised…), the rest heartbeats. */
const FAULT_EVERY = 10;
/** Connections per source address: the ephemeral port range (~28k ports) is per source address. */
const PER_SOURCE_ADDRESS = 1_000;
/** Handshakes in flight at once while connecting. */
const CONNECT_CONCURRENCY = 100;
/** A handshake or welcome that takes longer than this fails the bench. */
const CONNECT_TIMEOUT_MS = 20_000;
/** After a pipeline's deadline, how long answers still in flight are waited for. */
const DRAIN_MS = 15_000;

export const terminalIds = (count: number): string[] => Array.from({ length: count }, (_, i) => `B-${String(i + 1).padStart(5, '0')}`);
export const tokenFor = (terminal: string) => `bench-token-${terminal}`;
export const tokensFor = (terminals: readonly string[]) => Object.fromEntries(terminals.map((t) => [t, tokenFor(t)]));

/** 127.0.0.2, 127.0.0.3, …: PER_SOURCE_ADDRESS connections from each (all of 127/8 is loopback). */
const sourceAddress = (index: number) => `127.0.0.${2 + Math.floor(index / PER_SOURCE_ADDRESS)}`;

const templates = new Map<string, { heartbeat: Report; raised: Report; cleared: Report }>();

/** Report `seq` of `terminal`: valid by construction (schema-checked templates, a fresh id, the seq). */
export function benchReport(terminal: string, seq: number): Report {
  let t = templates.get(terminal);
  if (!t) {
    t = { heartbeat: makeHeartbeat({ terminal }), raised: makeFaultReport({ terminal, state: 'raised' }), cleared: makeFaultReport({ terminal, state: 'cleared' }) };
    templates.set(terminal, t);
  }
  const fault = seq % FAULT_EVERY === 0 ? ((seq / FAULT_EVERY) % 2 === 1 ? t.raised : t.cleared) : undefined;
  return { ...(fault ?? t.heartbeat), id: randomUUID(), seq, createdAt: new Date().toISOString() };
}

export const reportFrame = (report: Report) => JSON.stringify({ type: 'report', report });

export class BenchTerminal {
  /** Answers (ack or error) to report frames, and how many of them were acks. */
  answered = 0;
  acked = 0;
  private seq = 0;
  private onAnswer: (() => void) | undefined;

  private constructor(
    readonly id: string,
    readonly ws: WebSocket,
  ) {}

  /** Opens the connection as the agent does and resolves on the hub's `welcome`. */
  static connect(url: string, id: string, localAddress: string): Promise<BenchTerminal> {
    const ws = new WebSocket(url, {
      headers: { authorization: `Bearer ${tokenFor(id)}`, [TERMINAL_HEADER]: id },
      localAddress,
      perMessageDeflate: false,
      maxPayload: MAX_FRAME_BYTES,
      handshakeTimeout: CONNECT_TIMEOUT_MS,
    });
    const terminal = new BenchTerminal(id, ws);
    return new Promise((resolve, reject) => {
      const fail = (why: string) => {
        clearTimeout(timer);
        ws.terminate();
        reject(new Error(`terminal ${id} from ${localAddress}: ${why}`));
      };
      const timer = setTimeout(() => fail('no welcome in time'), CONNECT_TIMEOUT_MS);
      ws.once('unexpected-response', (_req, res) => fail(`upgrade refused: ${res.statusCode}`));
      ws.once('error', (err) => fail(err.message));
      ws.on('message', (data) => {
        const type = (JSON.parse(data.toString()) as { type: string }).type;
        if (type === 'welcome') {
          clearTimeout(timer);
          resolve(terminal);
        } else if (type === 'ack' || type === 'error') {
          terminal.answered++;
          if (type === 'ack') terminal.acked++;
          terminal.onAnswer?.();
        }
      });
    });
  }

  /** This terminal's next report (seqs from 1, as a fresh agent's). */
  nextReport(): Report {
    return benchReport(this.id, ++this.seq);
  }

  /** False when the connection is no longer open (nothing sent). */
  send(frame: string): boolean {
    if (this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(frame);
    return true;
  }

  /**
   * Sends `frames` keeping at most `window` unanswered, until all are answered or `deadline` passes
   * (then stops sending and waits DRAIN_MS at most for the answers in flight). Resolves with how many it sent.
   */
  pipeline(frames: readonly string[], window: number, deadline: number): Promise<number> {
    return new Promise((resolve) => {
      const base = this.answered;
      let sent = 0;
      const finish = () => {
        clearTimeout(drainTimer);
        this.onAnswer = undefined;
        resolve(sent);
      };
      const drainTimer = setTimeout(finish, Math.max(0, deadline - performance.now()) + DRAIN_MS);
      const next = () => {
        const open = performance.now() < deadline && this.ws.readyState === WebSocket.OPEN;
        while (open && sent < frames.length && sent - (this.answered - base) < window) this.ws.send(frames[sent++]!);
        if (this.answered - base === sent && (sent === frames.length || !open)) finish();
      };
      this.onAnswer = next;
      next();
    });
  }

  close(): void {
    this.ws.terminate();
  }
}

/** Connects `ids` to `url`, CONNECT_CONCURRENCY handshakes at a time, spread over source addresses. */
export async function connectAll(url: string, ids: readonly string[]): Promise<BenchTerminal[]> {
  const terminals: BenchTerminal[] = new Array(ids.length);
  let nextIndex = 0;
  const worker = async () => {
    while (nextIndex < ids.length) {
      const i = nextIndex++;
      terminals[i] = await BenchTerminal.connect(url, ids[i]!, sourceAddress(i));
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(CONNECT_CONCURRENCY, ids.length) }, worker));
  } catch (err) {
    closeAll(terminals);
    throw err;
  }
  return terminals;
}

export function closeAll(terminals: readonly (BenchTerminal | undefined)[]): void {
  for (const t of terminals) t?.close();
}

/** Every terminal runs its pipeline at once (frames[i] for terminals[i]), capped at `capMs`. */
export async function pumpAll(terminals: readonly BenchTerminal[], frames: readonly (readonly string[])[], capMs: number) {
  const acked0 = terminals.reduce((n, t) => n + t.acked, 0);
  const start = performance.now();
  const sent = await Promise.all(terminals.map((t, i) => t.pipeline(frames[i]!, WINDOW, start + capMs)));
  const ms = performance.now() - start;
  const acked = terminals.reduce((n, t) => n + t.acked, 0) - acked0;
  return { sent: sent.reduce((a, b) => a + b, 0), acked, ms };
}

/**
 * Each terminal sends a heartbeat every `everyMs` (phases spread evenly over the period) for `holdMs`,
 * then waits (DRAIN_MS at most) for every answer. Resolves with how many were sent and acked.
 */
export async function heartbeatAll(terminals: readonly BenchTerminal[], everyMs: number, holdMs: number) {
  const tickMs = 50;
  const slots = Math.max(1, Math.round(everyMs / tickMs));
  const answered0 = terminals.reduce((n, t) => n + t.answered, 0);
  const acked0 = terminals.reduce((n, t) => n + t.acked, 0);
  let sent = 0;
  for (let tick = 0; tick * tickMs < holdMs; tick++) {
    for (let i = tick % slots; i < terminals.length; i += slots) {
      const t = terminals[i]!;
      if (t.send(reportFrame(t.nextReport()))) sent++;
    }
    await new Promise((resolve) => setTimeout(resolve, tickMs));
  }
  const drainUntil = performance.now() + DRAIN_MS;
  while (terminals.reduce((n, t) => n + t.answered, 0) - answered0 < sent && performance.now() < drainUntil) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { sent, acked: terminals.reduce((n, t) => n + t.acked, 0) - acked0 };
}
