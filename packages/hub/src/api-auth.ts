import { isIP } from 'node:net';
import { ConfigError } from 'posdiag-protocol/cli';

/**
 * When the HTTP API (`/api/**`) may be open: with an API token or once operator users exist, every
 * request must carry `Authorization: Bearer <token>` (operators/authenticator.ts). With neither the
 * API is open to whoever can reach the listening address, so the hub only starts that way on loopback.
 */

/** True for addresses only this host can reach: 127.0.0.0/8, ::1 (also IPv4-mapped) and `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || /^::ffff:127\./.test(h);
  return false;
}

/** Refuses a configuration that would expose an unauthenticated API (or configures an empty token). */
export function checkApiExposure(host: string, apiToken: string | undefined, usersExist = false): void {
  if (apiToken === '') throw new ConfigError('the hub API token is empty: give a non-empty token or none');
  if (apiToken === undefined && !usersExist && !isLoopbackHost(host)) {
    throw new ConfigError(
      `refusing to listen on ${host} without an API token: the HTTP API (reports, faults, commands to terminals) ` +
        'would be open to anyone who can reach it. Give an API token (posdiag hub --api-token-file FILE), add an operator (posdiag hub user add NAME --role admin), or listen on a loopback address (127.0.0.1, ::1)',
    );
  }
}
