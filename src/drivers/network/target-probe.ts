import { promises as dns } from 'node:dns';
import { connect as tcpConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Clock } from '../../core/clock.js';
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
 * - Nothing is sent beyond the handshake; the connection is closed as soon as it is established.
 */

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
}

type Phase = 'dns' | 'connect' | 'tls';

export function probeTarget(target: ProbeTarget, options: ProbeOptions): Promise<ProbeResult> {
  const { clock, timeoutMs, signal } = options;
  const lookup = options.lookup ?? ((host: string) => dns.lookup(host));
  return new Promise<ProbeResult>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    let phase: Phase = 'dns';
    let socket: Socket | undefined;
    let settled = false;
    const result: ProbeResult = { dnsOk: false, reachable: false };

    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clock.clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket?.destroy();
      outcome();
    };
    const fail = (error: ProbeError, detail: string) => settle(() => resolve({ ...result, error, detail }));
    const onAbort = () => settle(() => reject(signal!.reason));
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer = clock.setTimeout(
      () => fail(phase === 'dns' ? 'dns_timeout' : 'timeout', `no answer within ${timeoutMs} ms while ${phase === 'dns' ? 'resolving' : phase === 'tls' ? 'in the TLS handshake' : 'connecting'}`),
      timeoutMs,
    );

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
      secure.once('error', (err) => fail(classifyTlsError(err), err.message));
      secure.once('secureConnect', () => {
        result.tlsMs = clock.now() - startedAt;
        result.reachable = true;
        settle(() => resolve(result));
      });
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
        tcp.once('error', (err) => fail(phase === 'tls' ? classifyTlsError(err) : classifySocketError(err), err.message));
        tcp.once('connect', () => {
          result.latencyMs = clock.now() - startedAt;
          if (target.tls) return startTls(tcp);
          result.reachable = true;
          settle(() => resolve(result));
        });
      },
      (err: Error) => fail(classifyDnsError(err), err.message),
    );
  });
}
