import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock, type Report } from 'posdiag-protocol';
import { Uplink } from '../packages/agent/src/report/uplink.js';
import { MemoryOutbox } from '../packages/agent/test/helpers/memory-outbox.js';
import { startHubProcess, type HubProcess } from './support/hub-process.js';
import { startPostgres, type PostgresServer } from './support/postgres-server.js';
import { recordingLogger } from './support/recording-logger.js';
import { makeHeartbeat } from './support/reports.js';
import { waitFor } from './support/wait-for.js';

/**
 * The fleet's faults (issue 12): two hub processes on one PostgreSQL server, terminals that are the
 * agent's own uplink (each with its outbox, in memory here: its durability is the outbox's own tests'),
 * half of them listing hub A first and half hub B. Whatever dies, every report recorded is stored
 * exactly once, by report id, across the fleet's one database.
 */

const TERMINALS = Array.from({ length: 8 }, (_, i) => `T-${String(i + 1).padStart(4, '0')}`);
const tokenOf = (terminal: string) => `token-${terminal}`;
const PER_TERMINAL = 100;

let server: PostgresServer;
let dir: string;
beforeAll(async () => {
  server = await startPostgres({ fast: true });
  dir = mkdtempSync(join(tmpdir(), 'posdiag-fleet-'));
  writeFileSync(join(dir, 'tokens.json'), JSON.stringify(Object.fromEntries(TERMINALS.map((t) => [t, tokenOf(t)]))));
}, 60_000);
afterAll(() => {
  server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function fleet(database: string) {
  const db = await server.createDatabase(database);
  const hubs: HubProcess[] = [];
  for (const instance of ['hub-a', 'hub-b']) hubs.push(await startHubProcess(['--tokens', join(dir, 'tokens.json'), '--db', db, '--instance', instance]));
  const [a, b] = hubs as [HubProcess, HubProcess];
  const agents = TERMINALS.map((terminal, i) => {
    const outbox = new MemoryOutbox();
    const uplink = new Uplink({
      url: i % 2 === 0 ? [a.url, b.url] : [b.url, a.url],
      token: tokenOf(terminal),
      terminal,
      outbox,
      clock: systemClock,
      log: recordingLogger(),
      agentVersion: '0.1.0-test',
      backoff: { initialMs: 50, maxMs: 500 },
      resendBackoff: { initialMs: 50, maxMs: 500 },
    });
    uplink.start();
    return { terminal, outbox, uplink, recorded: [] as Report[] };
  });
  const recordEach = async (n: number) => {
    for (const agent of agents) for (let k = 0; k < n; k++) agent.recorded.push(await agent.outbox.record(makeHeartbeat({ terminal: agent.terminal })));
  };
  /** Each terminal records its reports a few at a time, while whatever the test does happens. */
  const load = (async () => {
    for (let round = 0; round < PER_TERMINAL / 5; round++) {
      await recordEach(5);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  })();
  const acked = () => agents.reduce((n, agent) => n + agent.outbox.acked.length, 0);
  const stored = async () => {
    const client = new pg.Client({ connectionString: db });
    await client.connect();
    try {
      const { rows } = await client.query<{ id: string; n: string }>('SELECT id, count(*) AS n FROM reports GROUP BY id');
      return rows;
    } finally {
      await client.end();
    }
  };
  const everythingAcked = async () => {
    await load;
    await waitFor(() => (agents.every((agent) => agent.outbox.pending().length === 0) ? true : undefined), 'every report acked', 60_000);
  };
  const stop = async () => {
    for (const agent of agents) await agent.uplink.stop();
    for (const hub of hubs) await hub.stop();
  };
  return { a, b, agents, acked, recordEach, stored, everythingAcked, stop };
}

function expectExactlyOnce(rows: { id: string; n: string }[], agents: { recorded: Report[] }[]): void {
  const recorded = agents.flatMap((agent) => agent.recorded.map((r) => r.id));
  expect(recorded.length).toBeGreaterThanOrEqual(TERMINALS.length * PER_TERMINAL);
  expect(rows.filter((r) => r.n !== '1')).toEqual([]);
  expect(rows.map((r) => r.id).sort()).toEqual(recorded.sort());
}

describe('a fleet of two hubs on one PostgreSQL', () => {
  it('SIGKILL one hub under load: its terminals reconnect to the other; 0 reports lost, 0 stored twice', async () => {
    const f = await fleet('sigkill');
    try {
      await waitFor(() => (f.acked() >= 100 ? true : undefined), 'reports flowing to both hubs');
      f.a.signal('SIGKILL');
      expect(await f.a.exited).toBe(null);
      await f.everythingAcked();
      expectExactlyOnce(await f.stored(), f.agents);
      for (const agent of f.agents) expect(agent.uplink.delivery()).toMatchObject({ connected: true, url: f.b.url });
    } finally {
      await f.stop();
    }
  }, 120_000);

  it('PostgreSQL restarted under load: the hubs reconnect by themselves, the agents keep what is unacked until it is; 0 lost, 0 twice', async () => {
    const f = await fleet('restart');
    try {
      await waitFor(() => (f.acked() >= 100 ? true : undefined), 'reports flowing');
      await server.pause();
      // The load goes on into the outage: the hubs cannot store, and say so to the agents (retryable).
      await f.recordEach(2);
      await waitFor(() => ([f.a, f.b].some((hub) => hub.logged('storing report failed').length > 0) ? true : undefined), 'a hub to meet the outage').catch((err: Error) => {
        throw new Error(`${err.message}: ${JSON.stringify([f.a, f.b].map((h) => [h.child.exitCode, h.lines.slice(-4)]))}`);
      });
      await server.resume();
      await f.everythingAcked();
      expectExactlyOnce(await f.stored(), f.agents);
      // Both processes lived through it, and say their database answers again.
      for (const hub of [f.a, f.b]) {
        expect(hub.child.exitCode, JSON.stringify(hub.lines.filter((l) => l.level !== 'info').slice(-5))).toBe(null);
        const health = await waitFor(async () => ((await fetch(`${hub.base}/healthz`)).status === 200 ? true : undefined), 'the hub healthy again');
        expect(health).toBe(true);
      }
    } finally {
      await f.stop();
    }
  }, 120_000);
});
