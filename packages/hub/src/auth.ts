import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { TERMINAL_HEADER } from 'posdiag-protocol';
import type { TokenMap } from './tokens.js';

export type AuthResult =
  | { ok: true; terminal: string; method: 'token' | 'client-cert' }
  | { ok: false; reason: string };

/** Compares secrets in time independent of where they differ; hashing first equalizes lengths. */
export function secretsEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The token of an `Authorization: Bearer <token>` header value, or null when it has another form. */
export function bearerToken(authorization: string): string | null {
  return /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1] ?? null;
}

function verifiedCertCn(req: IncomingMessage): string | undefined {
  const socket = req.socket as Partial<TLSSocket>;
  if (!socket.encrypted || !socket.authorized || typeof socket.getPeerCertificate !== 'function') return undefined;
  const cn = socket.getPeerCertificate().subject?.CN;
  return typeof cn === 'string' ? cn : undefined;
}

/** Who an upgrade request to /agent is, by the handshake contract (posdiag-protocol, handshake.ts). */
export function authenticate(req: IncomingMessage, tokens: TokenMap): AuthResult {
  const claimed = headerValue(req, TERMINAL_HEADER);
  const authorization = headerValue(req, 'authorization');

  if (authorization !== undefined) {
    const given = bearerToken(authorization);
    if (given === null) return { ok: false, reason: 'Authorization header is not "Bearer <token>"' };
    if (claimed === undefined) return { ok: false, reason: `missing ${TERMINAL_HEADER} header` };
    const expected = Object.hasOwn(tokens, claimed) ? tokens[claimed] : undefined;
    // Compare even for an unknown terminal so both refusals cost the same.
    const equal = secretsEqual(given, expected ?? '');
    if (expected === undefined) return { ok: false, reason: `unknown terminal ${JSON.stringify(claimed)}` };
    if (!equal) return { ok: false, reason: `wrong token for terminal ${JSON.stringify(claimed)}` };
    return { ok: true, terminal: claimed, method: 'token' };
  }

  const cn = verifiedCertCn(req);
  if (cn !== undefined) {
    if (!Object.hasOwn(tokens, cn)) return { ok: false, reason: `client certificate CN ${JSON.stringify(cn)} is not a known terminal` };
    if (claimed !== undefined && claimed !== cn) {
      return { ok: false, reason: `${TERMINAL_HEADER} ${JSON.stringify(claimed)} differs from certificate CN ${JSON.stringify(cn)}` };
    }
    return { ok: true, terminal: cn, method: 'client-cert' };
  }

  return { ok: false, reason: 'no credentials (neither a bearer token nor a verified client certificate)' };
}
