import { promises as dns } from 'node:dns';
import { connect as tcpConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { Clock, TimerHandle } from 'posdiag-protocol';
import { headRequest, parseResponseHead, responseDate } from './http-date.js';
import { classifyDnsError, classifySocketError, classifyTlsError, type ProbeError } from './probe-errors.js';

/**
 * One reachability probe of a payment host: DNS resolution, TCP connect, and a TLS handshake with SNI
 * when the target speaks TLS (certificate verified against the system store, or `ca` when given).
 *
 * Invariants:
 * - Bounded: one deadline on the injected clock covers the whole probe; when it passes the socket is
 *   destroyed and the result says `timeout` (or `dns_timeout` while still resolving).
 * - A failure of the target is a result, never a rejection. The promise rejects only when `signal`
 *   aborts (the driver is closing), with the signal's reason, after releasing the socket.
 * - Nothing is sent beyond the handshake, except with `readHttpDate`: one `HEAD /` over a verified TLS
 *   connection, and only the response head is read. Its outcome never changes the rest of the result:
 *   a host that answers garbage, nothing, or closes is as reachable as it was after the handshake.
 * - The connection is closed as soon as the result is known.
 */

/**
 * How long a target may take to answer `HEAD /` after the handshake (within the probe's deadline). A
 * payment host that does not speak HTTP (ISO 8583 over TLS waits for a length-prefixed message) stays
 * silent, and must not hold every probe to its full deadline.
 */
export const HTTP_DATE_WAIT_MS = 2_000;
/** A Date names the whole second it falls in; its middle is the unbiased estimate of the server's time. */
const HALF_SECOND_MS = 500;

export interface ProbeTarget {
  host: string;
  port: number;
  tls: boolean;
}

export interface ProbeOptions {
  clock: Clock;
  timeoutMs: number;
  signal?: AbortSignal;
  /** PEM trust anchors for the TLS handshake; the system store when absent. */
  ca?: string | string[];
  /** Name resolution (a seam); `dns.promises.lookup` by default, which honours /etc/hosts like the payment app. */
  lookup?: (host: string) => Promise<{ address: string }>;
  /** After a TLS handshake, ask `HEAD /` for the server's HTTP `Date` (ProbeResult.serverDate). */
  readHttpDate?: boolean;
}

export interface ProbeResult {
  dnsOk: boolean;
  /** TCP connected and, for a TLS target, the handshake verified. */
  reachable: boolean;
  /** The address resolved and tried. */
  address?: string;
  /** Time from starting the TCP connect to its completion. */
  latencyMs?: number;
  /** Time the TLS handshake took after the connect. */
  tlsMs?: number;
  error?: ProbeError;
  /** The underlying error message, for evidence. */
  detail?: string;
  /**
   * The target's clock read `referenceMs` (its HTTP `Date`) when ours read `localMs` (the middle of the
   * request's round trip). Only with `readHttpDate`, and only when the server sent one valid Date.
   */
  serverDate?: { referenceMs: number; localMs: number };
}

type Phase = 'dns' | 'connect' | 'tls' | 'http';

export function probeTarget(target: ProbeTarget, options: ProbeOptions): Promise<ProbeResult> {
  const { clock, timeoutMs, signal } = options;
  const lookup = options.lookup ?? ((host: string) => dns.lookup(host));
  return new Promise<ProbeResult>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    let phase: Phase = 'dns';
    let socket: Socket | undefined;
    let settled = false;
    let httpTimer: TimerHandle | undefined;
    const result: ProbeResult = { dnsOk: false, reachable: false };

    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clock.clearTimeout(timer);
      if (httpTimer) clock.clearTimeout(httpTimer);
      signal?.removeEventListener('abort', onAbort);
      socket?.destroy();
      outcome();
    };
    const fail = (error: ProbeError, detail: string) => settle(() => resolve({ ...result, error, detail }));
    const finish = () => settle(() => resolve(result));
    // Once the handshake has succeeded, nothing the socket does can make the probe a failure.
    const onError = (classify: (err: unknown) => ProbeError) => (err: Error) => (phase === 'http' ? finish() : fail(classify(err), err.message));
    const onAbort = () => settle(() => reject(signal!.reason));
    signal?.addEventListener('abort', onAbort, { once: true });
    const onDeadline = () => {
      if (phase === 'http') return finish();
      const doing = phase === 'dns' ? 'resolving' : phase === 'tls' ? 'in the TLS handshake' : 'connecting';
      fail(phase === 'dns' ? 'dns_timeout' : 'timeout', `no answer within ${timeoutMs} ms while ${doing}`);
    };
    const timer = clock.setTimeout(onDeadline, timeoutMs);

    const startTls = (tcp: Socket) => {
      phase = 'tls';
      const startedAt = clock.now();
      const secure = tlsConnect({
        socket: tcp,
        // `host` is what the certificate is checked against; SNI carries names only, never an address.
        host: target.host,
        ...(isIP(target.host) ? {} : { servername: target.host }),
        ...(options.ca ? { ca: options.ca } : {}),
        rejectUnauthorized: true,
      });
      socket = secure;
      secure.on('error', onError(classifyTlsError));
      secure.once('secureConnect', () => {
        result.tlsMs = clock.now() - startedAt;
        result.reachable = true;
        if (options.readHttpDate) readDate(secure);
        else finish();
      });
    };

    const readDate = (secure: TLSSocket) => {
      const request = headRequest(target.host, target.port);
      if (!request) return finish();
      phase = 'http';
      httpTimer = clock.setTimeout(finish, HTTP_DATE_WAIT_MS);
      let received = Buffer.alloc(0);
      const sentAt = clock.now();
      secure.on('data', (chunk: Buffer) => {
        received = Buffer.concat([received, chunk]);
        // A 1xx interim head (103 Early Hints) may come first; the final one follows it.
        for (;;) {
          const head = parseResponseHead(received);
          if (head.kind === 'incomplete') return;
          if (head.kind === 'invalid') return finish();
          const dateMs = responseDate(head.fields);
          if (dateMs !== undefined) {
            result.serverDate = { referenceMs: dateMs + HALF_SECOND_MS, localMs: (sentAt + clock.now()) / 2 };
            return finish();
          }
          if (head.status >= 200) return finish();
          received = received.subarray(head.size);
        }
      });
      secure.once('end', finish);
      secure.once('close', finish);
      secure.write(request);
    };

    lookup(target.host).then(
      ({ address }) => {
        if (settled) return;
        result.dnsOk = true;
        result.address = address;
        phase = 'connect';
        const startedAt = clock.now();
        const tcp = tcpConnect({ host: address, port: target.port });
        socket = tcp;
        // Errors during the handshake reach this listener too; the phase tells which kind they are.
        tcp.on('error', onError((err) => (phase === 'tls' ? classifyTlsError(err) : classifySocketError(err))));
        tcp.once('connect', () => {
          result.latencyMs = clock.now() - startedAt;
          if (target.tls) return startTls(tcp);
          result.reachable = true;
          finish();
        });
      },
      (err: Error) => fail(classifyDnsError(err), err.message),
    );
  });
}
