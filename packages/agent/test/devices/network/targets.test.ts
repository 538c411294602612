import { createServer, type Server } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from 'posdiag-protocol';
import { FakeClock } from '../../../../../test/support/fake-clock.js';
import { NetworkDriver } from '../../../src/devices/network/network-driver.js';
import { classifyDnsError, classifySocketError, classifyTlsError } from '../../../src/devices/network/probe-errors.js';
import { probeTarget } from '../../../src/devices/network/target-probe.js';
import { silentLogger } from '../../../src/log/logger.js';
import { makeNetworkCerts, opensslDate, type Pem } from '../../helpers/network-certs.js';
import { startSynDropper, type SynDropper } from '../../helpers/syn-dropper.js';

/**
 * Target probes against real servers on 127.0.0.1: a plain TCP listener, a closed port, and TLS servers
 * whose certificates are self-signed, expired, not yet valid, for another name, or good, and a listener
 * that drops SYNs. Nothing leaves this machine: names other than loopback ones go to `hostsOnly`, which
 * fails them as getaddrinfo does for a name no server knows, instead of asking the machine's resolver.
 */

const servers: Server[] = [];
const certs = makeNetworkCerts();
let tcpPort: number;
let closedPort: number;
const tlsPorts: Record<string, number> = {};
let dropper: SynDropper;

/** A resolver that knows loopback only: any other name fails the way Node's dns.lookup reports NXDOMAIN. */
async function hostsOnly(host: string): Promise<{ address: string }> {
  if (host === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(host)) return { address: host === 'localhost' ? '127.0.0.1' : host };
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND', syscall: 'getaddrinfo', hostname: host });
}

function listen(server: Server): Promise<number> {
  servers.push(server);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

function tlsServer(pem: Pem): Promise<number> {
  // Handshake errors on the server side (the client rejects the certificate) are expected here.
  const server = createTlsServer({ cert: pem.cert, key: pem.key }, (socket) => socket.end());
  server.on('tlsClientError', () => {});
  return listen(server);
}

beforeAll(async () => {
  tcpPort = await listen(createServer((socket) => socket.end()));
  // A port that was just free: bind, learn the number, close.
  const probe = createServer();
  closedPort = await new Promise((resolve) => probe.listen(0, '127.0.0.1', () => resolve((probe.address() as AddressInfo).port)));
  await new Promise((resolve) => probe.close(resolve));

  const ip = 'IP:127.0.0.1';
  tlsPorts.good = await tlsServer(certs.leaf('good', ip, opensslDate(-1), opensslDate(30)));
  tlsPorts.expired = await tlsServer(certs.leaf('expired', ip, opensslDate(-30), opensslDate(-1)));
  tlsPorts.notYetValid = await tlsServer(certs.leaf('future', ip, opensslDate(10), opensslDate(40)));
  tlsPorts.otherName = await tlsServer(certs.leaf('other', 'DNS:pay.example.com', opensslDate(-1), opensslDate(30)));
  tlsPorts.selfSigned = await tlsServer(certs.selfSigned('self', ip));
  dropper = await startSynDropper();
});

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  await dropper?.stop();
  certs.cleanup();
});

const base = { clock: systemClock, timeoutMs: 5_000, ca: certs.ca, lookup: hostsOnly };

describe('target probe on loopback', () => {
  it('connects to a listening port and measures the connect', async () => {
    const result = await probeTarget({ host: '127.0.0.1', port: tcpPort, tls: false }, base);
    expect(result).toMatchObject({ dnsOk: true, reachable: true, address: '127.0.0.1' });
    expect(result.error).toBeUndefined();
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('resolves a name before connecting', async () => {
    const result = await probeTarget({ host: 'localhost', port: tcpPort, tls: false }, { ...base, lookup: async () => ({ address: '127.0.0.1' }) });
    expect(result).toMatchObject({ dnsOk: true, reachable: true, address: '127.0.0.1' });
  });

  it('classifies a closed port as refused, with DNS fine', async () => {
    const result = await probeTarget({ host: '127.0.0.1', port: closedPort, tls: false }, base);
    expect(result).toMatchObject({ dnsOk: true, reachable: false, error: 'refused' });
    expect(result.latencyMs).toBeUndefined();
  });

  it('classifies a name that does not resolve as a DNS failure and does not connect', async () => {
    const result = await probeTarget({ host: 'posdiag-test.invalid', port: tcpPort, tls: false }, base);
    expect(result).toMatchObject({ dnsOk: false, reachable: false, error: 'dns' });
    expect(result.address).toBeUndefined();
  });

  it('completes a TLS handshake with a certificate the CA signed', async () => {
    const result = await probeTarget({ host: '127.0.0.1', port: tlsPorts.good!, tls: true }, base);
    expect(result).toMatchObject({ dnsOk: true, reachable: true });
    expect(result.tlsMs).toBeGreaterThanOrEqual(0);
  });

  it.each([
    ['selfSigned', 'untrusted'],
    ['expired', 'expired'],
    ['notYetValid', 'clock_skew'],
    ['otherName', 'hostname_mismatch'],
  ])('classifies a TLS server with a %s certificate as %s', async (server, error) => {
    const result = await probeTarget({ host: '127.0.0.1', port: tlsPorts[server]!, tls: true }, base);
    expect(result).toMatchObject({ dnsOk: true, reachable: false, error });
    // TCP did connect: the failure is the handshake's, and the connect latency is still known.
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('does not trust the test CA unless told to (system store)', async () => {
    const result = await probeTarget({ host: '127.0.0.1', port: tlsPorts.good!, tls: true }, { clock: systemClock, timeoutMs: 5_000 });
    expect(result).toMatchObject({ reachable: false, error: 'untrusted' });
  });

  it('sends the host name as SNI', async () => {
    const names: (string | undefined)[] = [];
    // SNICallback runs inside the handshake, before the client can see it complete.
    const server = createTlsServer(
      { ...certs.leaf('sni', 'DNS:pay.test', opensslDate(-1), opensslDate(30)), SNICallback: (name, cb) => (names.push(name), cb(null)) },
      (s) => s.end(),
    );
    const port = await listen(server);
    const result = await probeTarget({ host: 'pay.test', port, tls: true }, { ...base, lookup: async () => ({ address: '127.0.0.1' }) });
    expect(result).toMatchObject({ reachable: true });
    expect(names).toEqual(['pay.test']);
  });

  it('gives up at its deadline on the injected clock while the resolver hangs', async () => {
    const clock = new FakeClock();
    const pending = probeTarget({ host: 'slow.test', port: tcpPort, tls: false }, { clock, timeoutMs: 3_000, lookup: () => new Promise(() => {}) });
    await clock.advance(2_999);
    let settled = false;
    void pending.then(() => (settled = true));
    await clock.advance(0);
    expect(settled).toBe(false);
    await clock.advance(1);
    expect(await pending).toMatchObject({ dnsOk: false, reachable: false, error: 'dns_timeout' });
  });

  it('reports a host that drops SYNs as a timeout on the injected clock', async () => {
    const clock = new FakeClock();
    const pending = probeTarget({ host: '127.0.0.1', port: dropper.port, tls: true }, { clock, timeoutMs: 4_000 });
    await clock.advance(3_999);
    let settled = false;
    void pending.then(() => (settled = true));
    await clock.advance(0);
    expect(settled).toBe(false);
    await clock.advance(1);
    expect(await pending).toMatchObject({ dnsOk: true, reachable: false, address: '127.0.0.1', error: 'timeout' });
  });

  it('rejects with the reason when its signal aborts (driver closing)', async () => {
    const controller = new AbortController();
    const pending = probeTarget({ host: 'slow.test', port: tcpPort, tls: false }, { ...base, signal: controller.signal, lookup: () => new Promise(() => {}) });
    controller.abort(new Error('closing'));
    await expect(pending).rejects.toThrow('closing');
  });
});

describe('network driver targets', () => {
  it('reports reachable, latency, dns_ok and error per target', async () => {
    const driver = new NetworkDriver(
      {
        interfaces: [],
        targets: [
          { name: 'acquirer', host: '127.0.0.1', port: tlsPorts.good!, tls: true, httpDate: false },
          { name: 'tms', host: '127.0.0.1', port: closedPort, tls: false, httpDate: false },
          { name: 'gone', host: 'posdiag-test.invalid', port: 443, tls: true, httpDate: false },
          { name: 'skewed', host: '127.0.0.1', port: tlsPorts.notYetValid!, tls: true, httpDate: false },
        ],
      },
      { sysfs: '/nonexistent', procfs: '/nonexistent' },
      { clock: systemClock, log: silentLogger },
      { ca: certs.ca, monitorCommand: null, lookup: hostsOnly },
    );
    const { readings, evidence } = await driver.poll(new AbortController().signal);
    await driver.close();
    expect(readings).toMatchObject({
      'network.target.acquirer.dns_ok': true,
      'network.target.acquirer.reachable': true,
      'network.target.tms.dns_ok': true,
      'network.target.tms.reachable': false,
      'network.target.tms.error': 'refused',
      'network.target.gone.dns_ok': false,
      'network.target.gone.reachable': false,
      'network.target.gone.error': 'dns',
      'network.target.skewed.reachable': false,
      'network.target.skewed.error': 'clock_skew',
    });
    expect(typeof readings['network.target.acquirer.latency_ms']).toBe('number');
    expect(readings['network.target.acquirer.error']).toBeUndefined();
    expect(readings['network.target.gone.latency_ms']).toBeUndefined();
    expect(evidence?.['network.target.tms.address']).toBe('127.0.0.1');
  });

  it('reports a silent host as a reading within the poll, never a failed poll', async () => {
    const clock = new FakeClock();
    const driver = new NetworkDriver(
      { interfaces: [], targets: [{ name: 'acquirer', host: '127.0.0.1', port: dropper.port, tls: true, httpDate: false }], timeout: '5s' },
      { sysfs: '/nonexistent', procfs: '/nonexistent' },
      { clock, log: silentLogger },
      { monitorCommand: null },
    );
    const poll = driver.poll(new AbortController().signal);
    await clock.advance(4_000); // the probe's own deadline: 80 % of the 5 s poll timeout
    expect((await poll).readings).toEqual({
      'network.target.acquirer.dns_ok': true,
      'network.target.acquirer.reachable': false,
      'network.target.acquirer.error': 'timeout',
    });
    await driver.close();
  });

  it('keeps one probe per target in flight: a second poll joins the first', async () => {
    const clock = new FakeClock();
    let lookups = 0;
    const driver = new NetworkDriver(
      { interfaces: [], targets: [{ name: 'acquirer', host: 'slow.test', port: 443, tls: false, httpDate: false }], timeout: '10s' },
      { sysfs: '/nonexistent', procfs: '/nonexistent' },
      { clock, log: silentLogger },
      { monitorCommand: null, lookup: () => (lookups++, new Promise(() => {})) },
    );
    // The first poll is abandoned (as the scheduler does on timeout); its probe keeps running.
    const abandoned = new AbortController();
    const first = driver.poll(abandoned.signal);
    abandoned.abort(new Error('poll timed out'));
    await expect(first).rejects.toThrow('poll timed out');
    const second = driver.poll(new AbortController().signal);
    await clock.advance(8_000); // the probe's own deadline: 80 % of the 10 s poll timeout
    expect(lookups).toBe(1);
    expect((await second).readings).toMatchObject({ 'network.target.acquirer.dns_ok': false, 'network.target.acquirer.error': 'dns_timeout' });
    await driver.close();
  });
});

describe('probe error classification', () => {
  const err = (code: string) => Object.assign(new Error(code), { code });
  it('maps resolver, socket and TLS codes to short words', () => {
    expect(['ENOTFOUND', 'EAI_AGAIN', 'ESERVFAIL'].map((c) => classifyDnsError(err(c)))).toEqual(['dns', 'dns', 'dns']);
    expect(classifyDnsError(err('EMFILE'))).toBe('error');
    expect(['ECONNREFUSED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET'].map((c) => classifySocketError(err(c)))).toEqual([
      'refused', 'timeout', 'unreachable', 'unreachable', 'reset',
    ]);
    expect(['DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'ERR_TLS_CERT_ALTNAME_INVALID', 'ECONNRESET', 'ERR_SSL_WRONG_VERSION_NUMBER'].map((c) => classifyTlsError(err(c)))).toEqual([
      'untrusted', 'untrusted', 'expired', 'clock_skew', 'hostname_mismatch', 'reset', 'tls',
    ]);
  });

  it('treats anything without a code as an unclassified error', () => {
    for (const bad of [undefined, null, 'ECONNREFUSED', 42, {}, { code: 7 }]) {
      expect(classifySocketError(bad)).toBe('error');
      expect(classifyDnsError(bad)).toBe('error');
      expect(classifyTlsError(bad)).toBe('tls');
    }
  });
});
