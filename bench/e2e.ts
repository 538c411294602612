import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToIo, setTimeout as delay } from 'node:timers/promises';
import WebSocket, { WebSocketServer } from 'ws';
import { systemClock } from 'posdiag-protocol';
import { startHub } from 'posdiag-hub';
import { silentLogger } from '../packages/agent/src/log/logger.js';
import type { Outbox } from '../packages/agent/src/report/outbox-contract.js';
import { openOutbox } from '../packages/agent/src/report/outbox.js';
import { MAX_FRAME_BYTES, type Report, type ReportDraft } from 'posdiag-protocol';
import { Uplink } from '../packages/agent/src/report/uplink.js';
import { faultDraft } from '../packages/agent/test/helpers/outbox-drafts.js';

const REPORTS = 2_000;
const ROUNDS = 4;
/** Untimed reports first through both paths, so JIT warm-up (zod, JSON, ws) is not counted. */
const WARMUP = 300;
/** The uplink's send window; the baseline keeps the same number of frames unacknowledged. */
const WINDOW = 32;
const TERMINAL = 'T-0001';
const TOKEN = 'bench-token';

/**
 * End-to-end delivery agent → hub on loopback, against a raw `ws` baseline measured in the same run.
 *
 * Ours: each report is recorded through the real outbox (fdatasync'd) in a temp dir, with socket I/O
 * let run after each record, and delivered by the real Uplink (window WINDOW) to a real hub that
 * validates it, commits it to SQLite (WAL, synchronous=FULL) and acks it; the agent then deletes it from
 * the outbox (another fdatasync'd append). A round ends when the outbox is empty: every report acked.
 *
 * Raw: the same JSON frames (`{type:'report', report}`, same reports) sent by a bare `ws` client to a
 * bare `ws` server that parses each and answers a same-shaped ack; the client keeps WINDOW frames
 * unacknowledged, as the uplink does. No validation, no disk, no outbox.
 *
 * Both ends of both paths run in this one process (deflate off on both). Rounds alternate between the
 * two so a drifting machine does not favour either. `ratio` = ours ÷ raw, in reports per second.
 */
export default async function run(): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'posdiag-bench-e2e-'));
  const hub = await startHub({ host: '127.0.0.1', port: 0, db: join(dir, 'hub.db'), tokens: { [TERMINAL]: TOKEN } });
  const outbox = await openOutbox({ dir: join(dir, 'outbox'), maxBytes: 256 * 1024 * 1024, memoryRing: 16 });
  const uplink = new Uplink({
    url: hub.url,
    token: TOKEN,
    terminal: TERMINAL,
    outbox,
    clock: systemClock,
    log: silentLogger,
    agentVersion: 'bench',
    window: WINDOW,
  });
  uplink.start();
  const raw = await startRawAckServer();
  const client = await connectRaw(raw.url);
  try {
    const drafts = Array.from({ length: WARMUP + REPORTS }, () => faultDraft());
    const frames = drafts.map((draft, i) => JSON.stringify({ type: 'report', report: { ...draft, seq: i + 1 } as Report }));
    await deliverThroughAgent(outbox, drafts.splice(0, WARMUP));
    await deliverRaw(client, frames.splice(0, WARMUP));

    const perRound = REPORTS / ROUNDS;
    let oursMs = 0;
    let rawMs = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const slice = [round * perRound, (round + 1) * perRound] as const;
      let start = performance.now();
      await deliverThroughAgent(outbox, drafts.slice(...slice));
      oursMs += performance.now() - start;

      start = performance.now();
      await deliverRaw(client, frames.slice(...slice));
      rawMs += performance.now() - start;
    }
    const oursPerSec = (REPORTS / oursMs) * 1000;
    const rawWsPerSec = (REPORTS / rawMs) * 1000;
    return {
      reports: REPORTS,
      window: WINDOW,
      frameBytes: Math.round(frames.reduce((sum, f) => sum + Buffer.byteLength(f), 0) / frames.length),
      oursPerSec: Math.round(oursPerSec),
      rawWsPerSec: Math.round(rawWsPerSec),
      ratio: Number((oursPerSec / rawWsPerSec).toFixed(3)),
    };
  } finally {
    client.terminate();
    await raw.close();
    await uplink.stop();
    await outbox.close();
    await hub.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Records every draft, letting socket I/O run after each, and resolves once the hub acked them all. */
async function deliverThroughAgent(outbox: Outbox, drafts: readonly ReportDraft[]): Promise<void> {
  for (const draft of drafts) {
    await outbox.record(draft);
    await yieldToIo();
  }
  // Polled, not signalled: the outbox has no ack event. 1 ms per check is noise next to a round.
  while (outbox.pending(1).length > 0) await delay(1);
}

interface RawAckServer {
  url: string;
  close(): Promise<void>;
}

/** A bare ws server that answers each report frame with the hub's ack message for it. */
async function startRawAckServer(): Promise<RawAckServer> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  server.on('connection', (ws) => {
    ws.on('message', (data) => {
      const { report } = JSON.parse(data.toString()) as { report: Report };
      ws.send(JSON.stringify({ type: 'ack', id: report.id, seq: report.seq, duplicate: false }));
    });
  });
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of server.clients) ws.terminate();
        server.close(() => resolve());
      }),
  };
}

function connectRaw(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** Sends the frames keeping WINDOW unacknowledged, and resolves once every one is acked. */
function deliverRaw(ws: WebSocket, frames: readonly string[]): Promise<void> {
  return new Promise((resolve) => {
    let sent = 0;
    let acked = 0;
    const onAck = (data: WebSocket.RawData) => {
      JSON.parse(data.toString());
      acked++;
      if (acked === frames.length) {
        ws.off('message', onAck);
        resolve();
      } else if (sent < frames.length) ws.send(frames[sent++]!);
    };
    ws.on('message', onAck);
    while (sent < Math.min(WINDOW, frames.length)) ws.send(frames[sent++]!);
  });
}
