import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE_REVOKED } from 'posdiag-protocol';
import { TestAgent } from './helpers/hub-agent.js';
import { startHubProcess, type HubProcess } from '../../../test/support/hub-process.js';
import { makeFaultReport } from '../../../test/support/reports.js';
import { subscribe } from './helpers/sse-subscriber.js';
import { waitFor } from '../../../test/support/wait-for.js';
import { createTestDatabase, type TestDatabase } from '../../../test/support/test-db.js';

/** The hub as a real process (`posdiag-hub`, the command `posdiag hub` runs): the health check, SIGHUP reloading the tokens file, failed logins. */

const API_TOKEN = 'operator-secret';
const dir = mkdtempSync(join(tmpdir(), 'posdiag-hub-process-'));
const tokensFile = join(dir, 'tokens.json');
const writeTokens = (tokens: Record<string, string> | string) => writeFileSync(tokensFile, typeof tokens === 'string' ? tokens : JSON.stringify(tokens));
let hub: HubProcess;
let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
  writeTokens({ 'T-0001': 'token-one' });
  writeFileSync(join(dir, 'api-token'), `${API_TOKEN}\n`);
  hub = await startHubProcess(['--tokens', tokensFile, '--db', database.db, '--api-token-file', join(dir, 'api-token')]);
}, 30_000);
afterAll(async () => {
  await hub?.stop();
  await database?.drop();
  rmSync(dir, { recursive: true, force: true });
});

/** The status of one upgrade attempt (101 when it upgraded), from `localAddress`. */
async function upgradeStatus(terminal: string, token: string, localAddress = '127.0.0.1'): Promise<number> {
  return TestAgent.connect(hub.url, terminal, token, { localAddress }).then(
    async (agent) => (await agent.close(), 101),
    (err: { status?: number }) => err.status ?? 0,
  );
}

/** Sends SIGHUP and waits until the hub has logged one more line with `msg`. */
async function reload(msg: string): Promise<void> {
  const before = hub.logged(msg).length;
  hub.signal('SIGHUP');
  await waitFor(() => (hub.logged(msg).length > before ? true : undefined), `"${msg}" after SIGHUP`);
}

describe('posdiag hub (process)', () => {
  it('answers GET /healthz with 200 without authentication, while /api wants the token', async () => {
    const res = await fetch(`${hub.base}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
    expect((await fetch(`${hub.base}/api/terminals`)).status).toBe(401);
  });

  it('re-reads the tokens file on SIGHUP: an added terminal connects, a revoked one is cut off and refused', async () => {
    expect(await upgradeStatus('T-0002', 'token-two')).toBe(401);
    writeTokens({ 'T-0001': 'token-one', 'T-0002': 'token-two' });
    await reload('tokens reloaded');
    const two = await TestAgent.connect(hub.url, 'T-0002', 'token-two');
    expect(await two.next()).toMatchObject({ type: 'welcome' });

    writeTokens({ 'T-0001': 'token-one' });
    await reload('tokens reloaded');
    expect((await two.closed).code).toBe(CLOSE_REVOKED);
    expect(await upgradeStatus('T-0002', 'token-two')).toBe(401);
    expect(await upgradeStatus('T-0001', 'token-one')).toBe(101);
    expect(hub.child.exitCode).toBeNull();
  });

  it('keeps the tokens in use when the file is broken on SIGHUP, and says so in one error line', async () => {
    const errorsBefore = hub.lines.filter((l) => l.level === 'error').length;
    writeTokens('{"T-0001": "token-one", ');
    await reload('tokens file not reloaded: keeping the tokens in use');
    const errors = hub.lines.filter((l) => l.level === 'error').slice(errorsBefore);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.err).toMatch(/tokens\.json: not valid JSON/);
    expect(await upgradeStatus('T-0001', 'token-one')).toBe(101);
    expect(hub.child.exitCode).toBeNull();
    writeTokens({ 'T-0001': 'token-one' });
  });

  it('gives alert events ids and replays what a client missed after its Last-Event-ID', async () => {
    const agent = await TestAgent.connect(hub.url, 'T-0001', 'token-one');
    await agent.next();
    const first = makeFaultReport({ seq: 1, code: 'printer.paper_end' });
    const second = makeFaultReport({ seq: 2, code: 'printer.cover_open' });
    for (const report of [first, second]) expect(await agent.report(report)).toMatchObject({ type: 'ack' });
    await agent.close();
    const { events, res } = await subscribe(`${hub.base}/api/alerts`, { authorization: `Bearer ${API_TOKEN}`, 'last-event-id': first.id });
    await waitFor(() => (events.length > 0 ? true : undefined), 'the replayed alert');
    res.destroy();
    expect(events.map((e) => [e.event, e.id])).toEqual([['alert', second.id]]);
  });

  it('answers 1,000 wrong tokens from one source 429 after a burst and logs them in aggregate, not per attempt', async () => {
    const statuses: number[] = [];
    for (let batch = 0; batch < 50; batch++) {
      statuses.push(...(await Promise.all(Array.from({ length: 20 }, () => upgradeStatus('T-0001', 'guess', '127.0.0.2')))));
    }
    expect(statuses.filter((s) => s !== 401 && s !== 429)).toEqual([]);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    // Another source is not slowed by them.
    expect(await upgradeStatus('T-0001', 'token-one', '127.0.0.1')).toBe(101);

    // The summary of the period still open is written at shutdown.
    expect(await hub.stop()).toBe(0);
    const summaries = hub.logged('failed authentications').filter((l) => l.remote === '127.0.0.2');
    expect(summaries.reduce((n, l) => n + (l.failures as number) + (l.throttled as number), 0)).toBe(1_000);
    expect(summaries.reduce((n, l) => n + (l.failures as number), 0)).toBe(statuses.filter((s) => s === 401).length);
    expect(summaries.length).toBeLessThan(10);
    expect(hub.logged('agent refused')).toEqual([]);
  }, 60_000);
});
