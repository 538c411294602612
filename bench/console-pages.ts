import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { systemClock, type Category, type Severity } from 'posdiag-protocol';
import { startHub } from '../packages/hub/src/server.js';
import { raise } from '../packages/hub/src/alarms/transitions.js';
import { createOperators } from '../packages/hub/src/operators/operators.js';
import { cliPrincipal } from '../packages/hub/src/operators/principal.js';
import { openStore } from '../packages/hub/src/store/open-store.js';
import { ConsoleClient } from '../test/support/console-client.js';

/** Rows of each: the "100k rows in the store". */
const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
/** Timed requests per page (after WARMUP untimed ones). */
const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const WARMUP = 5;
/** The goal: first page in at most this much server time (printed beside the figures, not asserted). */
const GOAL_MS = 200;
const CODES = ['printer.paper_end', 'printer.cover_open', 'battery.low', 'card_reader.read_errors_high', 'modem.no_signal', 'network.link_down', 'system.disk_full', 'printer.head_overheat'];
const SEVERITIES: Severity[] = ['critical', 'major', 'minor', 'info'];
const CATEGORIES: Category[] = ['io', 'hardware', 'network', 'software'];
const MODELS = ['X990', 'A920', 'P2000', 'S300'];

/** The hub's errors and warnings on stderr (a page that fails says why); nothing else. */
function stderrErrors() {
  const quiet = () => {};
  const say = (level: string) => (obj: object, msg?: string) => console.error(`hub ${level}: ${msg ?? ''} ${JSON.stringify(obj)}`);
  const log = { trace: quiet, debug: quiet, info: quiet, warn: say('warn'), error: say('error'), child: () => log };
  return log;
}

const terminalId = (i: number) => `T-${String(i).padStart(6, '0')}`;

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

async function timeRuns(run: () => Promise<number>): Promise<{ p50: number; p95: number }> {
  for (let i = 0; i < WARMUP; i++) await run();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) times.push(await run());
  times.sort((a, b) => a - b);
  return { p50: Number(quantile(times, 0.5).toFixed(2)), p95: Number(quantile(times, 0.95).toFixed(2)) };
}

/**
 * The console's two big lists with 100k terminals and 100k open alarms in a SQLite store: the first page
 * of /alarms and of /terminals, as the hub's own Server-Timing says it spent on them (queries and
 * rendering; the bench logs in and fetches over loopback like a browser). Baselines measured in the same
 * run on the same database: the raw store query behind each page, `store.alarms.list` of one page for
 * /alarms, `store.inventory.cards` of the page's 50 terminals for /terminals, and `store.inventory.search`
 * for a search by merchant (a label value, which matches 20 terminals), `store.alarms.stats` for the
 * overview (`/`). Alarms are raised through the store's own transaction (updateOpen with the real
 * transition); presence, inventory and labels are written directly in one transaction each, in the
 * store's schema, as that many hellos would leave them.
 */
export default async function run(): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'posdiag-bench-console-'));
  const db = join(dir, 'hub.db');
  try {
    const now = systemClock.now();
    const store = await openStore(db);
    const fillStarted = performance.now();
    await createOperators(store.operators, systemClock, { scrypt: { N: 1024, r: 8, p: 1 } }).users.add('bench', 'viewer', 'bench-password', cliPrincipal('bench'));
    for (let i = 0; i < ROWS; i++) {
      const key = { terminal: terminalId(i), code: CODES[i % CODES.length]!, instance: null };
      await store.alarms.updateOpen(key, (current) =>
        raise(current, { ...key, severity: SEVERITIES[i % 4]!, category: CATEGORIES[i % 4]!, since: now - (i % 14) * 86_400_000, seq: 1, reportId: null }, now),
      );
    }
    await store.close();
    const raw = new Database(db);
    raw.transaction(() => {
      const presence = raw.prepare('INSERT INTO presence (terminal, holder, last_heard, silent) VALUES (?, NULL, ?, 0)');
      const inventory = raw.prepare('INSERT INTO terminal_inventory (terminal, model, serial, firmware, agent_version, updated_at) VALUES (?, ?, ?, NULL, ?, ?)');
      const labels = raw.prepare('INSERT INTO terminal_labels (terminal, labels) VALUES (?, ?)');
      for (let i = 0; i < ROWS; i++) {
        presence.run(terminalId(i), now);
        inventory.run(terminalId(i), MODELS[i % 4], `SN-${i}`, '0.1.0', now);
        labels.run(terminalId(i), JSON.stringify({ merchant: `M-${i % 5000}`, region: `R-${i % 20}` }));
      }
    })();
    raw.close();
    const fillS = Number(((performance.now() - fillStarted) / 1000).toFixed(1));
    console.log(`filled ${ROWS} alarms and ${ROWS} terminals in ${fillS} s`);

    const tokens = Object.fromEntries(Array.from({ length: ROWS }, (_, i) => [terminalId(i), `token-${i}`]));
    const hub = await startHub({ host: '127.0.0.1', port: 0, db, tokens, log: stderrErrors() });
    const baseline = await openStore(db);
    try {
      const client = new ConsoleClient(`http://127.0.0.1:${hub.address.port}`);
      if ((await client.login('bench', 'bench-password')).status !== 303) throw new Error('bench login failed');
      const serverTime = (path: string, check: string) => async () => {
        const t0 = performance.now();
        const res = await client.get(path).catch((err: unknown) => {
          throw new Error(`GET ${path} after ${(performance.now() - t0).toFixed(0)} ms: ${(err as Error).message}`);
        });
        if (res.status !== 200 || !res.text.includes(check)) throw new Error(`GET ${path}: ${res.status}`);
        return Number(/app;dur=([0-9.]+)/.exec(res.headers.get('server-timing') ?? '')![1]);
      };
      const storeTime = (query: () => Promise<unknown>) => async () => {
        const t0 = performance.now();
        await query();
        return performance.now() - t0;
      };
      const alarms = await timeRuns(serverTime('/alarms', 'data-alarm='));
      const alarmsRaw = await timeRuns(storeTime(() => baseline.alarms.list({ closed: false, limit: 50 })));
      const terminals = await timeRuns(serverTime('/terminals', terminalId(49)));
      const firstIds = Array.from({ length: 50 }, (_, i) => terminalId(i));
      const terminalsRaw = await timeRuns(storeTime(() => baseline.inventory.cards(firstIds)));
      const needle = `M-${ROWS / 20 - 1}`;
      const search = await timeRuns(serverTime(`/terminals?q=${needle}`, terminalId(ROWS / 20 - 1)));
      const searchRaw = await timeRuns(storeTime(() => baseline.inventory.search(needle, null, 51)));
      const overview = await timeRuns(serverTime('/', '<svg class="chart"'));
      const overviewRaw = await timeRuns(storeTime(() => baseline.alarms.stats({ sinceMs: now - 14 * 86_400_000, weekMs: now - 7 * 86_400_000, top: 5 })));
      console.log('page (first)        server p50  p95 ms   baseline p50  p95 ms   goal');
      for (const [name, page, base] of [
        ['/alarms', alarms, alarmsRaw],
        ['/terminals', terminals, terminalsRaw],
        ['/terminals?q=', search, searchRaw],
        ['/ (overview)', overview, overviewRaw],
      ] as const) {
        console.log(`${name.padEnd(18)} ${String(page.p50).padStart(8)} ${String(page.p95).padStart(7)}   ${String(base.p50).padStart(11)} ${String(base.p95).padStart(7)}   ≤ ${GOAL_MS}`);
      }
      return {
        rows: ROWS,
        runs: RUNS,
        fillSeconds: fillS,
        alarms_p50Ms: alarms.p50,
        alarms_p95Ms: alarms.p95,
        alarmsStoreList_p50Ms: alarmsRaw.p50,
        terminals_p50Ms: terminals.p50,
        terminals_p95Ms: terminals.p95,
        terminalsSearch_p50Ms: search.p50,
        terminalsStoreCards_p50Ms: terminalsRaw.p50,
        terminalsSearchStore_p50Ms: searchRaw.p50,
        overview_p50Ms: overview.p50,
        overviewStoreStats_p50Ms: overviewRaw.p50,
        ratio: Number((alarms.p50 / alarmsRaw.p50).toFixed(2)),
      };
    } finally {
      await baseline.close();
      await hub.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
