import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from 'posdiag-protocol/cli';
import { checkApiExposure, isLoopbackHost } from '../src/api-auth.js';
import { startHub } from '../src/server.js';
import { TestAgent } from './helpers/hub-agent.js';
import { startTestHub, TEST_TOKENS } from '../../../test/support/hub-harness.js';
import { createTestDatabase } from '../../../test/support/test-db.js';
import { startHubProcess } from '../../../test/support/hub-process.js';
import { runHubMain } from './helpers/hub-main.js';

type Harness = Awaited<ReturnType<typeof startTestHub>>;
const API_TOKEN = 'operator-secret-1';

describe('hub API with an operator token', () => {
  let h: Harness;
  let agent: TestAgent;
  beforeAll(async () => {
    // These tests fail authentication on purpose, more often than the throttle's burst (hub-auth-throttle.test.ts).
    h = await startTestHub({ apiToken: API_TOKEN, authThrottle: { burst: 1_000 } });
    agent = await TestAgent.connect(h.hub.url, 'T-0001', 'token-one');
    await agent.next();
  });
  afterAll(async () => {
    await agent.close();
    await h.cleanup();
  });

  const call = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(`${h.api}${path}`, init);
    return { status: res.status, challenge: res.headers.get('www-authenticate'), body: (await res.json()) as any };
  };
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const postCommand = (headers: Record<string, string>) =>
    call('/terminals/T-0001/commands', { method: 'POST', body: '{"name":"self_test","args":{"level":"quick"}}', headers });

  it.each([
    ['no Authorization header', {}, /API token required/],
    ['a wrong token', bearer('operator-secret-2'), /wrong API token/],
    ['an agent token', bearer('token-one'), /wrong API token/],
    ['a token of a different length', bearer('x'), /wrong API token/],
    ['basic auth', { authorization: 'Basic b3A6c2VjcmV0' }, /not "Bearer <token>"/],
  ])('refuses %s on every endpoint with 401, a Bearer challenge and a JSON error', async (_name, headers, reason) => {
    for (const res of [await call('/reports', { headers }), await call('/faults?state=open', { headers }), await postCommand(headers)]) {
      expect(res.status).toBe(401);
      expect(res.challenge).toBe('Bearer');
      expect(res.body.error).toMatch(reason);
    }
    // Refused before routing: an unknown path does not reveal that it is unknown.
    expect((await call('/nothing', { headers })).status).toBe(401);
  });

  it('never sends a command for a refused request', async () => {
    expect((await postCommand({})).status).toBe(401);
    // The next message the agent sees is the one an authorized POST sends, not the refused one.
    const ok = await postCommand(bearer(API_TOKEN));
    expect(ok.status).toBe(202);
    expect(await agent.next()).toEqual({ type: 'command', id: ok.body.id, name: 'self_test', args: { level: 'quick' } });
  });

  it('serves requests that carry the token (scheme case-insensitive)', async () => {
    expect(await call('/reports', { headers: bearer(API_TOKEN) })).toMatchObject({ status: 200, body: [] });
    expect(await call('/faults', { headers: { authorization: `bearer ${API_TOKEN}` } })).toMatchObject({ status: 200, body: { terminals: {} } });
  });

  it('logs refusals without the token given, and does not warn about an open API', () => {
    const refused = h.log.entries.filter((e) => e.msg === 'API request refused');
    expect(refused.length).toBeGreaterThan(0);
    expect(JSON.stringify(refused)).not.toContain('operator-secret-2');
    expect(h.log.entries.some((e) => e.msg?.startsWith('HTTP API is unauthenticated'))).toBe(false);
  });
});

describe('hub API without an operator token', () => {
  it('stays open on loopback and warns at start that it is unauthenticated', async () => {
    const h = await startTestHub();
    try {
      expect((await fetch(`${h.api}/reports`)).status).toBe(200);
      const warning = h.log.entries.find((e) => e.level === 'warn' && e.msg?.startsWith('HTTP API is unauthenticated'));
      expect(warning?.msg).toMatch(/loopback/);
    } finally {
      await h.cleanup();
    }
  });

  it('refuses to start on a non-loopback address, before opening the database', async () => {
    const db = join(tmpdir(), `posdiag-never-created-${process.pid}.db`);
    const start = startHub({ host: '0.0.0.0', port: 0, db, tokens: TEST_TOKENS });
    await expect(start).rejects.toThrow(ConfigError);
    await expect(start).rejects.toThrow(/refusing to listen on 0\.0\.0\.0 without an API token/);
    await expect(startHub({ host: '127.0.0.1', port: 0, db, tokens: TEST_TOKENS, apiToken: '' })).rejects.toThrow(/API token is empty/);
  });

  it('tells loopback addresses from the rest', () => {
    for (const host of ['127.0.0.1', '127.9.8.7', '::1', '::ffff:127.0.0.1', 'localhost', 'LOCALHOST']) expect(isLoopbackHost(host)).toBe(true);
    for (const host of ['0.0.0.0', '::', '10.0.0.1', '128.0.0.1', 'hub.example.com', '::ffff:10.0.0.1']) expect(isLoopbackHost(host)).toBe(false);
    expect(() => checkApiExposure('10.0.0.1', 'secret')).not.toThrow();
  });
});

describe('posdiag hub --api-token-file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'posdiag-hub-cli-'));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const tokensFile = file('tokens.json', JSON.stringify(TEST_TOKENS));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = (args: string[]) => runHubMain(['--tokens', tokensFile, '--db', join(dir, 'hub.db'), ...args]);

  it('exits 78 for an empty file', async () => {
    const { code, stderr } = await run(['--api-token-file', file('empty', ' \n\t\n')]);
    expect(code).toBe(78);
    expect(stderr).toMatch(/--api-token-file: .*empty is empty/);
  });

  it('exits 66 for a missing file', async () => {
    const { code, stderr } = await run(['--api-token-file', join(dir, 'absent')]);
    expect(code).toBe(66);
    expect(stderr).toMatch(/--api-token-file: cannot read .*absent/);
  });

  it('exits 66 for a path that cannot be read as a file', async () => {
    // A directory: unreadable as a file even for root, who ignores permission bits.
    const { code, stderr } = await run(['--api-token-file', dir]);
    expect(code).toBe(66);
    expect(stderr).toMatch(/--api-token-file: cannot read .*: EISDIR/);
  });

  it.each([
    ['30s', /--silence-after must be at least 2m \(got "30s"\)/],
    ['soon', /--silence-after must be a duration such as 15m or 1h \(got "soon"\)/],
  ])('exits 64 for --silence-after %s, saying why', async (value, message) => {
    const { code, stderr } = await run(['--silence-after', value]);
    expect(code).toBe(64);
    expect(stderr).toMatch(message);
  });

  it('exits 78 for a non-loopback --listen without a token, saying why', async () => {
    const { code, stderr } = await run(['--listen', '0.0.0.0:0']);
    expect(code).toBe(78);
    expect(stderr).toMatch(/refusing to listen on 0\.0\.0\.0 without an API token.*--api-token-file/);
  });

  it('serves the API only with the (trimmed) token from the file', async () => {
    const database = await createTestDatabase();
    const hub = await startHubProcess(['--tokens', tokensFile, '--db', database.db, '--api-token-file', file('api-token', `${API_TOKEN}\n`)]);
    try {
      const api = `${hub.base}/api`;
      expect((await fetch(`${api}/faults`)).status).toBe(401);
      expect((await fetch(`${api}/faults`, { headers: { authorization: `Bearer ${API_TOKEN}` } })).status).toBe(200);
    } finally {
      await hub.stop();
      await database.drop();
    }
  }, 20_000);
});
