import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createSecureContext, TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_VERSION } from '../../../src/version.js';
import { FakeClock } from '../../../../../test/support/fake-clock.js';
import { headRequest, MAX_HEAD_BYTES, parseImfFixdate, parseResponseHead, responseDate, USER_AGENT } from '../../../src/devices/network/http-date.js';
import { NetworkDriver } from '../../../src/devices/network/network-driver.js';
import { HTTP_DATE_WAIT_MS, probeTarget } from '../../../src/devices/network/target-probe.js';
import { ClockSkewTracker } from '../../../src/devices/system/clock-skew.js';
import { silentLogger } from '../../../src/log/logger.js';
import { makeNetworkCerts, opensslDate, type Pem } from '../../helpers/network-certs.js';

/**
 * A TLS target's HTTP `Date` as a clock reference: the request and the response-head parser byte by
 * byte, then real TLS servers on 127.0.0.1 that answer with a Date an hour behind, garbage, nothing, or
 * a close — reachability must not care, and only a valid Date reaches the ClockSkewTracker.
 */

const head = (text: string) => Buffer.from(text, 'latin1');
const fieldsOf = (text: string) => {
  const parsed = parseResponseHead(head(text));
  if (parsed.kind !== 'head') throw new Error(`expected a head, got ${JSON.stringify(parsed)}`);
  return parsed.fields;
};

describe('HEAD request', () => {
  it('is byte-exact: Host with the port unless 443, a short User-Agent, Connection: close', () => {
    expect(headRequest('pay.example.com', 443, 'posdiag/9.9.9')!.toString('latin1')).toBe(
      'HEAD / HTTP/1.1\r\nHost: pay.example.com\r\nUser-Agent: posdiag/9.9.9\r\nConnection: close\r\n\r\n',
    );
    expect(headRequest('127.0.0.1', 8443, 'posdiag/9.9.9')!.toString('latin1')).toBe(
      'HEAD / HTTP/1.1\r\nHost: 127.0.0.1:8443\r\nUser-Agent: posdiag/9.9.9\r\nConnection: close\r\n\r\n',
    );
    expect(headRequest('::1', 443, 'x')!.toString('latin1')).toContain('\r\nHost: [::1]\r\n');
  });

  it('names this agent and its version', () => {
    expect(USER_AGENT).toBe(`posdiag/${AGENT_VERSION}`);
    expect(headRequest('h', 443)!.toString('latin1')).toContain(`\r\nUser-Agent: posdiag/${AGENT_VERSION}\r\n`);
  });

  it('refuses a host that cannot be written into a Host header (no header injection)', () => {
    for (const bad of ['pay.example.com\r\nX-Evil: 1', 'a b', 'a/b', '', 'host:443']) expect(headRequest(bad, 443)).toBeUndefined();
  });
});

describe('response head parser', () => {
  it('reads the status and the fields, names lower-cased, values trimmed', () => {
    const text = 'HTTP/1.1 200 OK\r\nDate: Thu, 01 Jan 2026 11:00:00 GMT\r\nServer:  nginx \r\n\r\nbody';
    expect(parseResponseHead(head(text))).toEqual({
      kind: 'head',
      status: 200,
      fields: new Map([['date', ['Thu, 01 Jan 2026 11:00:00 GMT']], ['server', ['nginx']]]),
      size: text.indexOf('body'),
    });
  });

  it('waits for the blank line, whatever the chunking', () => {
    const whole = 'HTTP/1.0 404 Not Found\r\nDate: Thu, 01 Jan 2026 11:00:00 GMT\r\n\r\n';
    for (let cut = 0; cut < whole.length - 1; cut++) expect(parseResponseHead(head(whole.slice(0, cut))).kind).toBe('incomplete');
    expect(parseResponseHead(head(whole))).toMatchObject({ kind: 'head', status: 404, size: whole.length });
  });

  it('accepts bare LF line ends and a status line without a reason phrase', () => {
    const text = 'HTTP/1.1 204\nDate: Thu, 01 Jan 2026 11:00:00 GMT\n\nbody';
    const parsed = parseResponseHead(head(text));
    expect(parsed).toMatchObject({ kind: 'head', status: 204, size: text.indexOf('body') });
    expect(responseDate((parsed as { fields: Map<string, string[]> }).fields)).toBe(Date.UTC(2026, 0, 1, 11, 0, 0));
  });

  it('joins folded (obs-fold) continuation lines with one space, and drops one before any field', () => {
    const fields = fieldsOf('HTTP/1.1 200 OK\r\n  orphan\r\nX-Long: a\r\n   b\r\n\tc\r\nDate: Thu, 01 Jan 2026\r\n 11:00:00 GMT\r\n\r\n');
    expect(fields.get('x-long')).toEqual(['a b c']);
    expect(responseDate(fields)).toBe(Date.UTC(2026, 0, 1, 11, 0, 0));
    expect([...fields.keys()]).toEqual(['x-long', 'date']);
  });

  it('keeps every value of a repeated field, and skips lines that are not fields', () => {
    const fields = fieldsOf('HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nno colon here\r\n: no name\r\nBad Name: x\r\n  folded onto nothing\r\nset-cookie: b=2\r\n\r\n');
    expect(fields).toEqual(new Map([['set-cookie', ['a=1', 'b=2']]]));
  });

  it('knows garbage from the first bytes, without waiting for more', () => {
    for (const bad of ['\x16\x03\x01', 'SSH-2.0-OpenSSH_9.6\r\n', '\x00', 'http/1.1 200 OK\r\n\r\n', 'HTTX']) {
      expect(parseResponseHead(head(bad))).toEqual({ kind: 'invalid', reason: 'not an HTTP response' });
    }
    expect(parseResponseHead(head('HTT')).kind).toBe('incomplete');
    expect(parseResponseHead(head(''))).toEqual({ kind: 'incomplete' });
  });

  it('rejects a first line that is not a status line', () => {
    for (const bad of ['HTTP/1.1 abc\r\n\r\n', 'HTTP/1.1 600 Nope\r\n\r\n', 'HTTP/11 200 OK\r\n\r\n', 'HTTP/1.1  200 OK\r\n\r\n']) {
      expect(parseResponseHead(head(bad))).toEqual({ kind: 'invalid', reason: 'not an HTTP status line' });
    }
  });

  it('gives up on a head over the limit, with or without its blank line', () => {
    const over = { kind: 'invalid', reason: `response head over ${MAX_HEAD_BYTES} bytes` };
    const status = 'HTTP/1.1 200 OK\r\n';
    const filler = (n: number) => `X-Pad: ${'p'.repeat(n - 'X-Pad: \r\n'.length)}\r\n`;
    const atLimit = status + filler(MAX_HEAD_BYTES - status.length - 2) + '\r\n';
    expect(atLimit.length).toBe(MAX_HEAD_BYTES);
    expect(parseResponseHead(head(atLimit))).toMatchObject({ kind: 'head', size: MAX_HEAD_BYTES });
    expect(parseResponseHead(head(status + filler(MAX_HEAD_BYTES - status.length - 1) + '\r\n'))).toEqual(over);
    // Still no blank line: incomplete up to the limit, invalid one byte past it.
    expect(parseResponseHead(head((status + 'X'.repeat(MAX_HEAD_BYTES)).slice(0, MAX_HEAD_BYTES))).kind).toBe('incomplete');
    expect(parseResponseHead(head(status + 'X'.repeat(MAX_HEAD_BYTES)))).toEqual(over);
  });
});

describe('HTTP Date', () => {
  it('takes one Date, or repeated Dates that agree; none when missing or when they disagree', () => {
    const at11 = Date.UTC(2026, 0, 1, 11, 0, 0);
    expect(responseDate(fieldsOf('HTTP/1.1 200 OK\r\nDate: Thu, 01 Jan 2026 11:00:00 GMT\r\n\r\n'))).toBe(at11);
    expect(responseDate(fieldsOf('HTTP/1.1 200 OK\r\nDate: Thu, 01 Jan 2026 11:00:00 GMT\r\nDATE: Thu, 01 Jan 2026 11:00:00 GMT\r\n\r\n'))).toBe(at11);
    expect(responseDate(fieldsOf('HTTP/1.1 200 OK\r\nDate: Thu, 01 Jan 2026 11:00:00 GMT\r\nDate: Thu, 01 Jan 2026 11:00:01 GMT\r\n\r\n'))).toBeUndefined();
    expect(responseDate(fieldsOf('HTTP/1.1 200 OK\r\nServer: x\r\n\r\n'))).toBeUndefined();
    expect(responseDate(fieldsOf('HTTP/1.1 200 OK\r\nDate: yesterday\r\n\r\n'))).toBeUndefined();
  });

  it('parses IMF-fixdate only, and only possible dates', () => {
    expect(parseImfFixdate('Sun, 06 Nov 1994 08:49:37 GMT')).toBe(Date.UTC(1994, 10, 6, 8, 49, 37));
    expect(parseImfFixdate('Sat, 28 Feb 2026 23:59:60 GMT')).toBe(Date.UTC(2026, 2, 1, 0, 0, 0));
    for (const bad of [
      'Sunday, 06-Nov-94 08:49:37 GMT', // RFC 850
      'Sun Nov  6 08:49:37 1994', // asctime
      '1994-11-06T08:49:37Z',
      'Sun, 06 Nov 1994 08:49:37 UTC',
      'Sun, 06 Nov 1994 08:49:37 GMT ',
      'Sun, 6 Nov 1994 08:49:37 GMT',
      'Tue, 31 Feb 2026 12:00:00 GMT',
      'Thu, 00 Jan 2026 12:00:00 GMT',
      'Thu, 01 Jan 2026 24:00:00 GMT',
      'Thu, 01 Jan 2026 12:60:00 GMT',
      'Thu, 01 Jan 2026 12:00:61 GMT',
    ]) expect(parseImfFixdate(bad)).toBeUndefined();
  });
});

describe('ClockSkewTracker with a measured reference', () => {
  it('takes the local time the reference belongs to, and carries it forward monotonically', async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 1, 12, 0, 0));
    let mono = 5_000;
    const tracker = new ClockSkewTracker({ clock, monotonic: () => mono });
    // The server said 11:00:00 at our 11:59:59 (a round trip whose middle was a second ago).
    tracker.observe('target:acquirer', Date.UTC(2026, 0, 1, 11, 0, 0), clock.now() - 1_000);
    expect(tracker.current()).toEqual({ skewS: 3599, source: 'target:acquirer' });
    mono += 60_000;
    await clock.advance(60_000);
    expect(tracker.current()!.skewS).toBe(3599);
    tracker.observe('hub', clock.now() - 10_000, Number.NaN);
    expect(tracker.current()!.source).toBe('target:acquirer');
  });
});

// --- Real TLS servers on loopback ---------------------------------------------------------------------

const certs = makeNetworkCerts();
let pem: Pem;
const servers: Server[] = [];

/**
 * A TLS server that hands each complete request to `onRequest` (with the TCP socket under it, to reset),
 * and records what it received. TLS is layered by hand so that the TCP close is seen even when the
 * client hangs up right after its Finished.
 */
interface Target {
  port: number;
  /** The first connection's received bytes, once it has closed. */
  firstClosed: Promise<Buffer>;
  /** Resolves with the first complete request. */
  firstRequest: Promise<Buffer>;
}

async function tlsTarget(onRequest: (socket: TLSSocket, tcp: Socket) => void): Promise<Target> {
  let closed!: (received: Buffer) => void;
  const firstClosed = new Promise<Buffer>((resolve) => (closed = resolve));
  let gotRequest!: (request: Buffer) => void;
  const firstRequest = new Promise<Buffer>((resolve) => (gotRequest = resolve));
  const secureContext = createSecureContext({ cert: pem.cert, key: pem.key });
  const server = createServer((tcp) => {
    const socket = new TLSSocket(tcp, { isServer: true, secureContext });
    let received = Buffer.alloc(0);
    let answered = false;
    tcp.on('error', () => {});
    socket.on('error', () => {});
    tcp.on('close', () => closed(received));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (answered || !received.includes('\r\n\r\n')) return;
      answered = true;
      gotRequest(received);
      onRequest(socket, tcp);
    });
  });
  servers.push(server);
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
  return { port, firstClosed, firstRequest };
}

const NOON = Date.UTC(2026, 0, 1, 12, 0, 0);
const AN_HOUR_BEHIND = 'Thu, 01 Jan 2026 11:00:00 GMT';
const reply = (text: string) => (socket: TLSSocket) => socket.end(text);
const dated = reply(`HTTP/1.1 200 OK\r\nDate: ${AN_HOUR_BEHIND}\r\nContent-Length: 1234\r\nConnection: close\r\n\r\n`);

beforeAll(() => {
  pem = certs.leaf('http-date', 'IP:127.0.0.1', opensslDate(-1), opensslDate(30));
});

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  certs.cleanup();
});

const probe = (port: number, clock: FakeClock, readHttpDate = true) =>
  probeTarget({ host: '127.0.0.1', port, tls: true }, { clock, timeoutMs: 8_000, ca: certs.ca, readHttpDate });

describe('target probe: HTTP Date after the handshake', () => {
  it('sends exactly the HEAD request and returns the Date with the local time it belongs to', async () => {
    const target = await tlsTarget(dated);
    const result = await probe(target.port, new FakeClock(NOON));
    expect(result).toMatchObject({ dnsOk: true, reachable: true, serverDate: { referenceMs: Date.UTC(2026, 0, 1, 11, 0, 0) + 500, localMs: NOON } });
    expect(result.error).toBeUndefined();
    expect((await target.firstRequest).toString('latin1')).toBe(headRequest('127.0.0.1', target.port)!.toString('latin1'));
  });

  it('puts the reference at the middle of the round trip', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const target = await tlsTarget((socket) => void released.then(() => dated(socket)));
    const clock = new FakeClock(NOON);
    const pending = probe(target.port, clock);
    await target.firstRequest;
    await clock.advance(1_000); // the server takes its time answering
    release();
    expect((await pending).serverDate).toEqual({ referenceMs: Date.UTC(2026, 0, 1, 11, 0, 0) + 500, localMs: NOON + 500 });
  });

  it('skips a 1xx interim head for the final one', async () => {
    const target = await tlsTarget(reply(`HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 301 Moved\r\nDate: ${AN_HOUR_BEHIND}\r\n\r\n`));
    expect((await probe(target.port, new FakeClock(NOON))).serverDate?.localMs).toBe(NOON);
  });

  it.each([
    ['garbage', reply('\x00\x00\x12\x34ISO8583-ish\xff\xfe')],
    ['a status line and no Date', reply('HTTP/1.1 400 Bad Request\r\nServer: x\r\n\r\n')],
    ['a head that never ends', (socket: TLSSocket) => socket.write(`HTTP/1.1 200 OK\r\nX-Pad: ${'p'.repeat(MAX_HEAD_BYTES)}`)],
    ['a close', (socket: TLSSocket) => socket.end()],
    ['a reset', (_: TLSSocket, tcp: Socket) => tcp.resetAndDestroy()],
  ])('answered with %s, stays reachable with no Date and no error', async (_, onRequest) => {
    const target = await tlsTarget(onRequest);
    const result = await probe(target.port, new FakeClock(NOON));
    expect(result).toMatchObject({ dnsOk: true, reachable: true });
    expect(result).not.toHaveProperty('serverDate');
    expect(result).not.toHaveProperty('error');
    expect(result.tlsMs).toBeGreaterThanOrEqual(0);
  });

  it('waits for a silent server only HTTP_DATE_WAIT_MS, then stays reachable', async () => {
    const target = await tlsTarget(() => {});
    const clock = new FakeClock(NOON);
    let settled = false;
    const pending = probe(target.port, clock).finally(() => (settled = true));
    await target.firstRequest;
    await clock.advance(HTTP_DATE_WAIT_MS - 1);
    expect(settled).toBe(false);
    await clock.advance(1);
    const result = await pending;
    expect(result).toMatchObject({ reachable: true });
    expect(result).not.toHaveProperty('serverDate');
    expect(result).not.toHaveProperty('error');
  });

  it('sends nothing after the handshake unless asked', async () => {
    const target = await tlsTarget(dated);
    const result = await probe(target.port, new FakeClock(NOON), false);
    expect(result).toMatchObject({ reachable: true });
    expect(result).not.toHaveProperty('serverDate');
    expect((await target.firstClosed).length).toBe(0);
  });
});

describe('network driver → ClockSkewTracker → the pipeline\'s clock-skew readings', () => {
  /** What the pipeline does with the driver's reference times: the tracker's one writer. */
  const feed = (network: NetworkDriver, tracker: ClockSkewTracker) =>
    network.deviceEvents((e) => {
      if (e.type === 'clock_reference') tracker.observe(e.source, e.referenceMs, e.localAtMs);
    });
  const config = (port: number, httpDate = true) => ({ interfaces: [], targets: [{ name: 'acquirer', host: '127.0.0.1', port, tls: true, httpDate }] });
  const noPaths = { sysfs: '/nonexistent', procfs: '/nonexistent' };

  it('makes a target an hour behind read as system.clock_skew_s 3600 from target:acquirer', async () => {
    const target = await tlsTarget(dated);
    const clock = new FakeClock(NOON);
    const tracker = new ClockSkewTracker({ clock, monotonic: () => 0 });
    const ctx = { clock, log: silentLogger };
    const network = new NetworkDriver(config(target.port), noPaths, ctx, { ca: certs.ca, monitorCommand: null, readHttpDate: true });
    feed(network, tracker);
    const { readings } = await network.poll(new AbortController().signal);
    await network.close();
    expect(readings).toMatchObject({ 'network.target.acquirer.reachable': true });
    expect(readings['network.target.acquirer.error']).toBeUndefined();

    const obs = tracker.observation();
    // Whole-second Date: the estimate is the middle of that second.
    expect(obs.readings['system.clock_skew_s']).toBe(3599.5);
    expect(obs.evidence?.['system.clock_reference']).toBe('target:acquirer');
  });

  it('observes nothing from a target that does not speak HTTP', async () => {
    const target = await tlsTarget(reply('220 acquirer ready\r\n'));
    const tracker = new ClockSkewTracker({ clock: new FakeClock(NOON) });
    const network = new NetworkDriver(config(target.port), noPaths, { clock: new FakeClock(NOON), log: silentLogger }, { ca: certs.ca, monitorCommand: null, readHttpDate: true });
    feed(network, tracker);
    const { readings } = await network.poll(new AbortController().signal);
    await network.close();
    expect(readings['network.target.acquirer.reachable']).toBe(true);
    expect(tracker.current()).toBeUndefined();
  });

  it('sends no request when no tracker is given', async () => {
    const target = await tlsTarget(dated);
    const network = new NetworkDriver(config(target.port), noPaths, { clock: new FakeClock(NOON), log: silentLogger }, { ca: certs.ca, monitorCommand: null });
    const { readings } = await network.poll(new AbortController().signal);
    await network.close();
    expect(readings['network.target.acquirer.reachable']).toBe(true);
    expect((await target.firstClosed).length).toBe(0);
  });

  it('sends no request to a target configured with httpDate: false', async () => {
    const target = await tlsTarget(dated);
    const tracker = new ClockSkewTracker({ clock: new FakeClock(NOON) });
    const network = new NetworkDriver(config(target.port, false), noPaths, { clock: new FakeClock(NOON), log: silentLogger }, { ca: certs.ca, monitorCommand: null, readHttpDate: true });
    feed(network, tracker);
    const { readings } = await network.poll(new AbortController().signal);
    await network.close();
    expect(readings['network.target.acquirer.reachable']).toBe(true);
    expect((await target.firstClosed).length).toBe(0);
    expect(tracker.current()).toBeUndefined();
  });
});
