import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { settledRss, startHubChild, startRawWsChild, type ServerChild } from './support/servers.js';
import { closeAll, connectAll, heartbeatAll, terminalIds } from './support/terminals.js';

/** Terminals held open: POSDIAG_BENCH_TERMINALS (default 5000). */
const DEFAULT_TERMINALS = 5_000;
/** Below this, the few MB an idle process's RSS moves between runs swamp the connections' share. */
const MIN_TERMINALS = 1_000;
/** Each process holds one fd per connection; the hard fd limit here is 20,000, and a process needs a few more. */
const MAX_TERMINALS = 19_500;
const FD_HEADROOM = 200;
const HEARTBEAT_EVERY_MS = 5_000;
/** How long the connections are held (heartbeating) before the RSS is read. */
const HOLD_MS = 15_000;
/** The goal; printed beside the figures, not asserted. */
const GOAL_RATIO = 1.3;

/**
 * Connection memory: N authenticated terminals (bench/support/terminals.ts, from 127.0.0.2… so the
 * ephemeral ports last) connect to a real hub (`posdiag-hub` child process, SQLite), and each sends a
 * heartbeat report every 5 s for 15 s; then, with all still open, the hub process's RSS (settled:
 * bench/support/servers.ts) minus its RSS before they connected, ÷ N, is its memory per connection. The
 * baseline, measured first in the same run: a bare `ws` server child (bench/support/raw-ws-server.ts)
 * holding the same clients, which welcomes and acks alike. The clients live in this process, so their
 * memory counts for neither. Goal: hub ≤ 1.3 × raw ws per connection. `ratio` = hub ÷ raw ws.
 *
 *   POSDIAG_BENCH_TERMINALS=19000 npm run bench -- hub-connections
 */
export default async function run(): Promise<Record<string, number>> {
  const n = terminalCount();
  const ids = terminalIds(n);
  const dir = mkdtempSync(join(tmpdir(), 'posdiag-bench-connections-'));
  try {
    const raw = await holdOn(await startRawWsChild(), ids);
    const hub = await holdOn(await startHubChild(dir, join(dir, 'hub.db'), ids), ids);
    const ratio = hub.perConnection / raw.perConnection;
    const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1).padStart(9);
    console.log(`server      N  before MB  after MB  per conn KB  heartbeats acked/sent`);
    for (const [name, r] of [['raw ws', raw], ['hub', hub]] as const) {
      console.log(`${name.padEnd(6)} ${String(n).padStart(6)}  ${mb(r.before)} ${mb(r.after)} ${(r.perConnection / 1024).toFixed(2).padStart(12)}  ${r.acked}/${r.sent}`);
    }
    console.log(`hub ÷ raw ws per connection: ${ratio.toFixed(3)} (goal ≤ ${GOAL_RATIO})`);
    return {
      terminals: n,
      rawWsBytesPerConnection: Math.round(raw.perConnection),
      hubBytesPerConnection: Math.round(hub.perConnection),
      hubHeartbeatsAcked: hub.acked,
      hubHeartbeatsSent: hub.sent,
      ratio: Number(ratio.toFixed(3)),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** N from POSDIAG_BENCH_TERMINALS; a value out of range, or beyond this process's fd limit, ends the bench with one line. */
function terminalCount(): number {
  const text = process.env.POSDIAG_BENCH_TERMINALS;
  const n = text === undefined ? DEFAULT_TERMINALS : Number(text);
  if (!Number.isInteger(n) || n < MIN_TERMINALS || n > MAX_TERMINALS) {
    console.error(`POSDIAG_BENCH_TERMINALS must be a whole number from ${MIN_TERMINALS} to ${MAX_TERMINALS} (got "${text}")`);
    process.exit(2);
  }
  const fds = Number(/^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1] ?? Infinity);
  if (n + FD_HEADROOM > fds) {
    console.error(`${n} terminals need about ${n + FD_HEADROOM} open files per process, but the limit is ${fds}: raise it (ulimit -n) or lower POSDIAG_BENCH_TERMINALS`);
    process.exit(2);
  }
  return n;
}

/** RSS of `server` idle, then holding the terminals (heartbeating, then settled); stops it. */
async function holdOn(server: ServerChild, ids: readonly string[]) {
  try {
    const before = await settledRss(server.pid);
    const terminals = await connectAll(server.url, ids);
    try {
      const { sent, acked } = await heartbeatAll(terminals, HEARTBEAT_EVERY_MS, HOLD_MS);
      const after = await settledRss(server.pid);
      return { before, after, perConnection: (after - before) / ids.length, sent, acked };
    } finally {
      closeAll(terminals);
    }
  } finally {
    await server.stop();
  }
}
