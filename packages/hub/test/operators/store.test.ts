import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOperators, type Operators } from '../../src/operators/operators.js';
import { cliPrincipal } from '../../src/operators/principal.js';
import { OperatorError } from '../../src/operators/users.js';
import type { HubStore } from '../../src/store/store.js';
import { FakeClock } from '../../../../test/support/fake-clock.js';
import { openTestStore } from '../helpers/store.js';

const FAST = { N: 1024, r: 8, p: 1 };
const ADMIN = cliPrincipal('root');

describe('operators on the store', () => {
  let store: HubStore;
  let dispose: () => Promise<void>;
  let clock: FakeClock;
  let ops: Operators;
  beforeEach(async () => {
    ({ store, dispose } = await openTestStore());
    clock = new FakeClock(Date.UTC(2026, 0, 2, 3, 4, 5));
    ops = createOperators(store.operators, clock, { scrypt: FAST, sessionTtlMs: 3_600_000 });
  });
  afterEach(() => dispose());

  it('adds users once, lists them without secrets, and refuses bad names and short passwords', async () => {
    expect(await store.operators.anyUsers()).toBe(false);
    await ops.users.add('alice', 'admin', 'alice-password', ADMIN);
    await ops.users.add('bob', 'viewer', 'bob-password', ADMIN);
    await expect(ops.users.add('alice', 'viewer', 'other-password', ADMIN)).rejects.toThrow(new OperatorError('user alice exists already'));
    await expect(ops.users.add('no spaces', 'viewer', 'long-enough', ADMIN)).rejects.toThrow(/user name "no spaces" must be/);
    await expect(ops.users.add('carol', 'viewer', 'short', ADMIN)).rejects.toThrow(/at least 8 characters/);
    expect(await store.operators.anyUsers()).toBe(true);
    const listed = await ops.users.list();
    expect(listed.map((u) => [u.name, u.role, u.disabled])).toEqual([
      ['alice', 'admin', false],
      ['bob', 'viewer', false],
    ]);
    expect(JSON.stringify(listed)).not.toContain('scrypt');
    expect((await store.operators.user('alice'))?.passwordHash).toMatch(/^scrypt\$1024\$8\$1\$/);
  });

  it('issues tokens kept only as their SHA-256, knows them until revoked, and not for a disabled user', async () => {
    await ops.users.add('alice', 'operator', 'alice-password', ADMIN);
    const { id, token } = await ops.users.issueToken('alice', 'laptop', ADMIN);
    expect(token).toMatch(/^pdh_[A-Za-z0-9_-]{43}$/);
    const bearer = `Bearer ${token}`;
    expect(await ops.auth.authenticate(bearer)).toEqual({ ok: true, principal: { name: 'alice', role: 'operator', via: 'user-token' } });
    const [listed] = (await ops.users.list())[0]!.tokens;
    expect(listed).toMatchObject({ id, name: 'laptop', createdAt: clock.now(), lastUsed: clock.now(), revokedAt: null });
    expect(JSON.stringify(await ops.users.list())).not.toContain(token);

    await ops.users.disable('alice', ADMIN);
    expect(await ops.auth.authenticate(bearer)).toMatchObject({ ok: false, reason: expect.stringMatching(/disabled/) });
    await expect(ops.users.issueToken('alice', 'again', ADMIN)).rejects.toThrow('user alice is disabled');
    await store.operators.setUserDisabled('alice', false);
    expect(await ops.auth.authenticate(bearer)).toMatchObject({ ok: true });

    await ops.users.revokeToken('alice', id, ADMIN);
    expect(await ops.auth.authenticate(bearer)).toEqual({ ok: false, reason: 'wrong API token' });
    await expect(ops.users.revokeToken('alice', id, ADMIN)).rejects.toThrow(`user alice has no live token ${id}`);
  });

  it('creates sessions on a right password only, ends them at expiry, logout and disabling, and audits each login', async () => {
    await ops.users.add('alice', 'viewer', 'alice-password', ADMIN);
    expect(await ops.sessions.createSession('alice', 'wrong-password', '127.0.0.9')).toBeNull();
    expect(await ops.sessions.createSession('nobody', 'alice-password', '127.0.0.9')).toBeNull();
    const session = await ops.sessions.createSession('alice', 'alice-password', '127.0.0.9');
    expect(session).toEqual({ id: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), expiresAt: clock.now() + 3_600_000 });
    expect(await ops.sessions.verifySession(session!.id)).toEqual({ name: 'alice', role: 'viewer', via: 'session' });
    expect(await ops.sessions.verifySession('not-a-session')).toBeNull();
    await clock.advance(3_600_000);
    expect(await ops.sessions.verifySession(session!.id)).toBeNull();
    expect(await ops.sessions.prune()).toBe(1);

    const second = (await ops.sessions.createSession('alice', 'alice-password', null))!;
    await ops.sessions.endSession(second.id, null);
    expect(await ops.sessions.verifySession(second.id)).toBeNull();
    const third = (await ops.sessions.createSession('alice', 'alice-password', null))!;
    await ops.users.disable('alice', ADMIN);
    expect(await ops.sessions.verifySession(third.id)).toBeNull();
    expect(await ops.sessions.createSession('alice', 'alice-password', null)).toBeNull();

    const logins = (await ops.audit.page({ action: 'login' })).entries.reverse();
    expect(logins.map((e) => [e.principal, e.outcome, e.remote])).toEqual([
      ['alice', 'denied', '127.0.0.9'],
      ['nobody', 'denied', '127.0.0.9'],
      ['alice', 'ok', '127.0.0.9'],
      ['alice', 'ok', null],
      ['alice', 'ok', null],
      ['alice', 'denied', null],
    ]);
  });

  it('stores a stronger hash at the login after the parameters were raised', async () => {
    await ops.users.add('alice', 'viewer', 'alice-password', ADMIN);
    const stronger = createOperators(store.operators, clock, { scrypt: { N: 2048, r: 8, p: 1 } });
    expect(await stronger.sessions.createSession('alice', 'alice-password', null)).not.toBeNull();
    expect((await store.operators.user('alice'))?.passwordHash).toMatch(/^scrypt\$2048\$8\$1\$/);
    expect(await stronger.sessions.createSession('alice', 'alice-password', null)).not.toBeNull();
  });

  it('audits user changes, and pages the log newest first by principal, action and time', async () => {
    await ops.users.add('alice', 'admin', 'alice-password', ADMIN);
    await clock.advance(1000);
    await ops.users.add('bob', 'viewer', 'bob-password', ADMIN);
    await ops.users.disable('bob', ADMIN);
    await ops.users.disable('nobody', ADMIN).catch(() => {});
    for (let i = 0; i < 5; i++) await ops.audit.record({ principal: 'alice', action: 'command.post', target: `T-${i}`, remote: '127.0.0.1', outcome: 'ok' });

    const all = await ops.audit.page({});
    expect(all.next).toBeNull();
    expect(all.entries.map((e) => e.action)).toEqual([...Array(5).fill('command.post'), 'user.disable', 'user.disable', 'user.add', 'user.add']);
    expect(all.entries.at(-1)).toMatchObject({ principal: 'cli:root', action: 'user.add', target: 'alice', remote: null, outcome: 'ok', detail: 'role admin' });
    expect(all.entries[5]).toMatchObject({ target: 'nobody', outcome: 'failed', detail: 'no such user' });

    expect((await ops.audit.page({ principal: 'cli:root', action: 'user.add', sinceMs: clock.now() })).entries.map((e) => e.target)).toEqual(['bob']);

    const first = await ops.audit.page({ principal: 'alice', limit: 2 });
    expect(first.entries.map((e) => e.target)).toEqual(['T-4', 'T-3']);
    const second = await ops.audit.page({ principal: 'alice', limit: 2, before: first.next! });
    expect(second.entries.map((e) => e.target)).toEqual(['T-2', 'T-1']);
    const last = await ops.audit.page({ principal: 'alice', limit: 2, before: second.next! });
    expect(last).toEqual({ entries: [expect.objectContaining({ target: 'T-0' })], next: null });
  });
});
