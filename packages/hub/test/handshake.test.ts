import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { loadTokens, TokensError } from '../src/tokens.js';
import { TestAgent } from './helpers/hub-agent.js';
import { startTestHub, TEST_TOKENS } from '../../../test/support/hub-harness.js';
import { makeHeartbeat } from '../../../test/support/reports.js';

type Harness = Awaited<ReturnType<typeof startTestHub>>;

/** Attempts an upgrade with the given headers; resolves with the HTTP status, or 101 if it upgraded. */
function attemptUpgrade(url: string, headers: Record<string, string>, options: WebSocket.ClientOptions = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { ...options, headers });
    ws.once('open', () => {
      ws.terminate();
      resolve(101);
    });
    ws.once('unexpected-response', (req, res) => {
      req.destroy();
      resolve(res.statusCode ?? 0);
    });
    ws.once('error', reject);
  });
}

describe('hub handshake', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startTestHub();
  });
  afterAll(() => h.cleanup());

  it.each([
    ['unknown terminal', { authorization: 'Bearer token-one', 'x-posdiag-terminal': 'T-9999' }],
    ['wrong token', { authorization: 'Bearer token-two', 'x-posdiag-terminal': 'T-0001' }],
    ['token prefix', { authorization: 'Bearer token-on', 'x-posdiag-terminal': 'T-0001' }],
    ['no terminal header', { authorization: 'Bearer token-one' }],
    ['not a bearer scheme', { authorization: 'Basic dG9rZW4tb25l', 'x-posdiag-terminal': 'T-0001' }],
    ['no headers', {}],
  ])('refuses %s with 401 before upgrading', async (_name, headers) => {
    // Per attempt only at debug level: the warning is the throttle's summary per source (hub-auth-throttle.test.ts).
    const refusals = () => h.log.entries.filter((e) => e.level === 'debug' && e.msg === 'agent refused').length;
    const before = refusals();
    expect(await attemptUpgrade(h.hub.url, headers)).toBe(401);
    expect(h.hub.connectedTerminals()).toEqual([]);
    expect(refusals()).toBe(before + 1);
    expect(h.log.entries.some((e) => e.msg === 'agent connected')).toBe(false);
  });

  it('answers 404 for a WebSocket on another path', async () => {
    const url = h.hub.url.replace('/agent', '/other');
    expect(await attemptUpgrade(url, { authorization: 'Bearer token-one', 'x-posdiag-terminal': 'T-0001' })).toBe(404);
  });

  it('welcomes an authenticated agent with server time and lastSeq 0', async () => {
    const agent = await TestAgent.connect(h.hub.url, 'T-0001', 'token-one');
    expect(await agent.next()).toEqual({ type: 'welcome', serverTime: '2026-01-02T03:04:05.000Z', lastSeq: 0 });
    expect(h.hub.connectedTerminals()).toEqual(['T-0001']);
    await agent.close();
  });

  it('welcomes with the highest stored seq for that terminal only', async () => {
    const one = await TestAgent.connect(h.hub.url, 'T-0001', 'token-one');
    await one.next();
    expect(await one.report(makeHeartbeat({ seq: 7 }))).toMatchObject({ type: 'ack', seq: 7 });
    await one.close();

    const again = await TestAgent.connect(h.hub.url, 'T-0001', 'token-one');
    expect(await again.next()).toMatchObject({ type: 'welcome', lastSeq: 7 });
    const other = await TestAgent.connect(h.hub.url, 'T-0002', 'token-two');
    expect(await other.next()).toMatchObject({ type: 'welcome', lastSeq: 0 });
    await Promise.all([again.close(), other.close()]);
  });

  it('a new connection for a terminal replaces the old one', async () => {
    const first = await TestAgent.connect(h.hub.url, 'T-0002', 'token-two');
    await first.next();
    const second = await TestAgent.connect(h.hub.url, 'T-0002', 'token-two');
    await second.next();
    expect((await first.closed).code).toBe(4000);
    expect(h.hub.connectedTerminals()).toEqual(['T-0002']);
    // The old connection's close must not unregister the new one.
    expect(await second.report(makeHeartbeat({ terminal: 'T-0002', seq: 1 }))).toMatchObject({ type: 'ack', duplicate: false });
    await second.close();
    expect(h.hub.connectedTerminals()).toEqual([]);
  });
});

describe('tokens file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'posdiag-tokens-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  it('loads an object of terminal id to token', () => {
    expect(loadTokens(write('ok.json', JSON.stringify(TEST_TOKENS)))).toEqual(TEST_TOKENS);
  });

  it.each([
    ['array.json', '["a"]', /expected a JSON object/],
    ['empty-token.json', '{"T-1": ""}', /T-1.*non-empty string/],
    ['number-token.json', '{"T-1": 5}', /T-1.*non-empty string/],
    ['bad-id.json', '{"T 1": "x"}', /"T 1" is not a terminal id/],
    ['broken.json', '{"T-1": ', /not valid JSON/],
  ])('refuses %s with a clear error', (name, text, message) => {
    const file = write(name, text);
    expect(() => loadTokens(file)).toThrow(TokensError);
    expect(() => loadTokens(file)).toThrow(message);
    expect(() => loadTokens(file)).toThrow(file);
  });

  it('names a missing file', () => {
    expect(() => loadTokens(join(dir, 'absent.json'))).toThrow(/cannot read tokens file/);
  });
});

describe('hub over TLS with client certificates', () => {
  const dir = mkdtempSync(join(tmpdir(), 'posdiag-hub-tls-'));
  const pem = (name: string) => readFileSync(join(dir, name), 'utf8');
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const makeCa = (name: string) =>
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.pem`);
  const makeCert = (name: string, cn: string, ca: string, ext?: string) => {
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${cn}`, '-keyout', `${name}.key`, '-out', `${name}.csr`);
    const extArgs = ext ? ['-extfile', write(`${name}.ext`, ext)] : [];
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-days', '2', '-out', `${name}.pem`, ...extArgs);
  };
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return name;
  };
  let h: Harness;
  let ca: string;
  const client = (name: string) => ({ ca, cert: pem(`${name}.pem`), key: pem(`${name}.key`) });

  beforeAll(async () => {
    makeCa('ca');
    makeCa('rogue-ca');
    makeCert('server', '127.0.0.1', 'ca', 'subjectAltName=IP:127.0.0.1\n');
    makeCert('t1', 'T-0001', 'ca');
    makeCert('stranger', 'T-7777', 'ca');
    makeCert('rogue', 'T-0001', 'rogue-ca');
    ca = pem('ca.pem');
    h = await startTestHub({ tls: { cert: pem('server.pem'), key: pem('server.key'), ca, requestCert: true } });
  }, 60_000);
  afterAll(async () => {
    await h?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => expect(h.hub.url.startsWith('wss://127.0.0.1:')).toBe(true));

  it('accepts a verified client certificate whose CN is a known terminal', async () => {
    const agent = await TestAgent.connect(h.hub.url, 'T-0001', null, client('t1'));
    expect(await agent.next()).toMatchObject({ type: 'welcome' });
    await agent.close();
  });

  it('refuses a certificate for an unknown terminal, a rogue CA and a CN/header mismatch', async () => {
    expect(await attemptUpgrade(h.hub.url, {}, client('stranger'))).toBe(401);
    expect(await attemptUpgrade(h.hub.url, {}, client('rogue'))).toBe(401);
    expect(await attemptUpgrade(h.hub.url, { 'x-posdiag-terminal': 'T-0002' }, client('t1'))).toBe(401);
    expect(h.hub.connectedTerminals()).toEqual([]);
    const reasons = h.log.entries.filter((e) => e.msg === 'agent refused').map((e) => e.fields.reason);
    expect(reasons).toEqual([
      'client certificate CN "T-7777" is not a known terminal',
      'no credentials (neither a bearer token nor a verified client certificate)',
      'x-posdiag-terminal "T-0002" differs from certificate CN "T-0001"',
    ]);
  });

  it('still accepts a bearer token without a client certificate', async () => {
    const agent = await TestAgent.connect(h.hub.url, 'T-0002', 'token-two', { ca });
    expect(await agent.next()).toMatchObject({ type: 'welcome' });
    await agent.close();
  });
});
