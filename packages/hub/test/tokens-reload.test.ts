import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE_REVOKED } from 'posdiag-protocol';
import { TestAgent } from './helpers/hub-agent.js';
import { startTestHub } from '../../../test/support/hub-harness.js';
import { makeHeartbeat } from '../../../test/support/reports.js';

type Harness = Awaited<ReturnType<typeof startTestHub>>;

describe('hub: reloading the tokens file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'posdiag-tokens-'));
  const file = join(dir, 'tokens.json');
  const write = (tokens: Record<string, string>) => writeFileSync(file, JSON.stringify(tokens));
  let h: Harness;
  beforeAll(async () => {
    h = await startTestHub({ tokens: { 'T-0001': 'token-one', 'T-0002': 'token-two' } });
  });
  afterAll(async () => {
    await h.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });
  const refusedWith = (terminal: string, token: string) =>
    TestAgent.connect(h.hub.url, terminal, token).then(
      async (agent) => (await agent.close(), 101),
      (err: { status?: number }) => err.status,
    );
  const known = async () => ((await (await fetch(`${h.api}/terminals`)).json()) as { id: string }[]).map((t) => t.id);

  it('lets an added terminal in, disconnects and refuses a removed one and one whose token changed', async () => {
    const one = await TestAgent.connect(h.hub.url, 'T-0001', 'token-one');
    const two = await TestAgent.connect(h.hub.url, 'T-0002', 'token-two');
    await Promise.all([one.next(), two.next()]);
    expect(await refusedWith('T-0003', 'token-three')).toBe(401);

    write({ 'T-0002': 'token-two-rotated', 'T-0003': 'token-three' });
    expect(h.hub.reloadTokens(file)).toBe(true);

    expect(await one.closed).toEqual({ code: CLOSE_REVOKED, reason: 'terminal credentials revoked' });
    expect(await two.closed).toMatchObject({ code: CLOSE_REVOKED });
    expect(h.hub.connectedTerminals()).toEqual([]);
    expect(await refusedWith('T-0001', 'token-one')).toBe(401);
    expect(await refusedWith('T-0002', 'token-two')).toBe(401);
    expect(await refusedWith('T-0002', 'token-two-rotated')).toBe(101);

    const three = await TestAgent.connect(h.hub.url, 'T-0003', 'token-three');
    await three.next();
    expect(await three.report(makeHeartbeat({ terminal: 'T-0003', seq: 1 }))).toMatchObject({ type: 'ack' });
    await three.close();
    expect(await known()).toEqual(['T-0002', 'T-0003']);
    expect(h.log.entries.find((e) => e.msg === 'tokens reloaded')?.fields).toMatchObject({ terminals: 2, added: ['T-0003'], revoked: ['T-0001'], changed: ['T-0002'] });
    // Tokens are secrets: the log names terminals only.
    expect(JSON.stringify(h.log.entries)).not.toContain('token-two-rotated');
  });

  it.each([
    ['not JSON', '{"T-0004": '],
    ['a bad terminal id', JSON.stringify({ 'not an id!': 'x' })],
    ['an empty token', JSON.stringify({ 'T-0004': '' })],
  ])('keeps the tokens in use when the file is %s, logging one error', async (_name, text) => {
    writeFileSync(file, text);
    const errors = () => h.log.entries.filter((e) => e.level === 'error');
    const before = errors().length;
    expect(h.hub.reloadTokens(file)).toBe(false);
    expect(errors()).toHaveLength(before + 1);
    expect(errors().at(-1)).toMatchObject({ msg: 'tokens file not reloaded: keeping the tokens in use', fields: { err: expect.stringContaining(file) } });
    expect(await refusedWith('T-0003', 'token-three')).toBe(101);
    expect(await known()).toEqual(['T-0002', 'T-0003']);
  });

  it('keeps the tokens in use when the file is gone', async () => {
    expect(h.hub.reloadTokens(join(dir, 'missing.json'))).toBe(false);
    expect(await refusedWith('T-0003', 'token-three')).toBe(101);
  });
});
