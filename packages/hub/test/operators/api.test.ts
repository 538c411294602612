import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOperators, type Operators } from '../../src/operators/operators.js';
import { cliPrincipal } from '../../src/operators/principal.js';
import { openStore } from '../../src/store/open-store.js';
import type { HubStore } from '../../src/store/store.js';
import { startTestHub } from '../../../../test/support/hub-harness.js';
import { TestAgent } from '../helpers/hub-agent.js';

type Harness = Awaited<ReturnType<typeof startTestHub>>;
const FAST = { N: 1024, r: 8, p: 1 };
const ADMIN = cliPrincipal('root');
const API_TOKEN = 'the-api-token-file-secret';

/** Users are added as `posdiag hub user` does: on the hub's database, beside the running hub. */
async function operatorsOn(h: Harness): Promise<{ store: HubStore; ops: Operators }> {
  const store = await openStore(h.db);
  return { store, ops: createOperators(store.operators, h.clock, { scrypt: FAST }) };
}

function client(h: Harness) {
  return async (path: string, token: string | undefined, init: RequestInit = {}) => {
    const headers: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` };
    const res = await fetch(`${h.api}${path}`, { ...init, headers });
    return { status: res.status, link: res.headers.get('link'), body: (await res.json()) as any };
  };
}
const POST_SELF_TEST = { method: 'POST', body: '{"name":"self_test","args":{"level":"quick"}}' };

describe('the HTTP API with operators', () => {
  let h: Harness;
  let agent: TestAgent;
  let store: HubStore;
  let ops: Operators;
  let call: ReturnType<typeof client>;
  const tokens: Record<string, string> = {};
  beforeAll(async () => {
    h = await startTestHub({ apiToken: API_TOKEN, authThrottle: { burst: 1_000 } });
    call = client(h);
    agent = await TestAgent.connect(h.hub.url, 'T-0001', 'token-one');
    await agent.next();
    ({ store, ops } = await operatorsOn(h));
    for (const [name, role] of [['vera', 'viewer'], ['otto', 'operator'], ['ada', 'admin']] as const) {
      await ops.users.add(name, role, `${name}-password`, ADMIN);
      tokens[name] = (await ops.users.issueToken(name, 'test', ADMIN)).token;
    }
  });
  afterAll(async () => {
    await agent.close();
    await store.close();
    await h.cleanup();
  });

  it('lets a viewer read and refuses it a command with 403, sending nothing', async () => {
    expect(await call('/reports', tokens.vera)).toMatchObject({ status: 200, body: [] });
    expect(await call('/terminals/T-0001/commands', tokens.vera, POST_SELF_TEST)).toEqual({
      status: 403,
      link: null,
      body: { error: 'vera is a viewer; this needs the operator role' },
    });
    expect(await call('/audit', tokens.vera)).toMatchObject({ status: 403, body: { error: expect.stringMatching(/needs the admin role/) } });
    expect(await call('/audit', tokens.otto)).toMatchObject({ status: 403 });
  });

  it('lets an operator command a terminal, audited with who, from where and what', async () => {
    const posted = await call('/terminals/T-0001/commands', tokens.otto, POST_SELF_TEST);
    expect(posted.status).toBe(202);
    expect(await agent.next()).toMatchObject({ type: 'command', id: posted.body.id, name: 'self_test' });
    const audit = await call('/audit?action=command.post&user=otto', tokens.ada);
    expect(audit.status).toBe(200);
    expect(audit.body.entries).toEqual([
      { id: expect.any(Number), at: new Date(h.clock.now()).toISOString(), principal: 'otto', action: 'command.post', target: 'T-0001', remote: '127.0.0.1', outcome: 'ok', detail: `self_test ${posted.body.id}` },
    ]);
    // The viewer's refused command is there too, as denied.
    const denied = await call('/audit?user=vera', tokens.ada);
    expect(denied.body.entries.map((e: any) => [e.action, e.outcome])).toEqual([
      ['GET /api/audit', 'denied'],
      ['POST /api/terminals/T-0001/commands', 'denied'],
    ]);
  });

  it('keeps the --api-token-file token working as an admin, named api-token-file in the audit', async () => {
    const posted = await call('/terminals/T-0001/commands', API_TOKEN, POST_SELF_TEST);
    expect(posted.status).toBe(202);
    await agent.next();
    const audit = await call('/audit?user=api-token-file', API_TOKEN);
    expect(audit.body.entries).toMatchObject([{ principal: 'api-token-file', action: 'command.post', outcome: 'ok' }]);
  });

  it('has the user changes in the audit, and pages it with a Link header', async () => {
    const page = await call('/audit?action=user.add&limit=2', tokens.ada);
    expect(page.body.entries.map((e: any) => [e.principal, e.target])).toEqual([
      ['cli:root', 'ada'],
      ['cli:root', 'otto'],
    ]);
    const next = /^<\/api(\/audit\?[^>]+)>; rel="next"$/.exec(page.link ?? '')?.[1];
    expect(next).toMatch(/after=\d+/);
    const rest = await call(next!, tokens.ada);
    expect(rest.body.entries.map((e: any) => e.target)).toEqual(['vera']);
    expect(rest.link).toBeNull();
    expect(await call('/audit?since=yesterday', tokens.ada)).toMatchObject({ status: 400, body: { error: expect.stringMatching(/since: an ISO 8601 time/) } });
    expect((await call(`/audit?action=user.add&since=${new Date(h.clock.now() + 1).toISOString()}`, tokens.ada)).body.entries).toEqual([]);
  });

  it('refuses with 401 a revoked token, a disabled user\'s token, and no token at all', async () => {
    const { id, token } = await ops.users.issueToken('otto', 'to-revoke', ADMIN);
    expect((await call('/reports', token)).status).toBe(200);
    await ops.users.revokeToken('otto', id, ADMIN);
    expect(await call('/reports', token)).toMatchObject({ status: 401, body: { error: 'wrong API token' } });
    expect((await call('/reports', tokens.otto)).status).toBe(200);
    await ops.users.add('dora', 'admin', 'dora-password', ADMIN);
    const dora = (await ops.users.issueToken('dora', 'test', ADMIN)).token;
    expect((await call('/reports', dora)).status).toBe(200);
    await ops.users.disable('dora', ADMIN);
    expect(await call('/reports', dora)).toMatchObject({ status: 401, body: { error: expect.stringMatching(/wrong API token/) } });
    expect(await call('/reports', undefined)).toMatchObject({ status: 401, body: { error: expect.stringMatching(/API token required/) } });
  });
});

describe('a loopback hub without an API token', () => {
  it('is open until the first user is added, then wants a token on every request', async () => {
    const h = await startTestHub();
    const { store, ops } = await operatorsOn(h);
    const call = client(h);
    try {
      expect((await call('/reports', undefined)).status).toBe(200);
      await ops.users.add('ada', 'admin', 'ada-password', ADMIN);
      expect((await call('/reports', undefined)).status).toBe(401);
      const token = (await ops.users.issueToken('ada', 'test', ADMIN)).token;
      expect((await call('/audit?action=user.add', token)).body.entries).toMatchObject([{ target: 'ada' }]);
    } finally {
      await store.close();
      await h.cleanup();
    }
  });
});
