import { isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';
import { ConfigError } from 'posdiag-protocol/cli';
import { bearerToken, headerValue, secretsEqual } from './auth.js';

/**
 * Operator authentication for the HTTP API (`/api/**`): when the hub has an API token, every request
 * must carry `Authorization: Bearer <api token>`. Without one the API is open to whoever can reach
 * the listening address, so the hub only starts that way on loopback.
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
export function checkApiExposure(host: string, apiToken: string | undefined): void {
  if (apiToken === '') throw new ConfigError('the hub API token is empty: give a non-empty token or none');
  if (apiToken === undefined && !isLoopbackHost(host)) {
    throw new ConfigError(
      `refusing to listen on ${host} without an API token: the HTTP API (reports, faults, commands to terminals) ` +
        'would be open to anyone who can reach it. Give an API token (posdiag hub --api-token-file FILE), or listen on a loopback address (127.0.0.1, ::1)',
    );
  }
}

/** Why the request is not the operator's, or null when it is. */
export function operatorRefusal(req: IncomingMessage, apiToken: string): string | null {
  const authorization = headerValue(req, 'authorization');
  if (authorization === undefined) return 'API token required: send Authorization: Bearer <token>';
  const given = bearerToken(authorization);
  if (given === null) return 'Authorization header is not "Bearer <token>"';
  return secretsEqual(given, apiToken) ? null : 'wrong API token';
}
