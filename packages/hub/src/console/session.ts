import { createHmac, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { secretsEqual } from '../auth.js';
import type { Principal } from '../operators/principal.js';
import type { Sessions } from '../operators/sessions.js';

/**
 * The console's cookies and its CSRF defence.
 *
 * - `posdiag_session`: the session id from operators/sessions.ts; HttpOnly (no script reads it),
 *   SameSite=Lax (another site's form posts arrive without it), Secure when the hub serves TLS.
 * - CSRF: every form carries `csrf`, the HMAC-SHA256 of a fixed label keyed by the session id. Only a
 *   page of this console can know it (the id never leaves the cookie), it needs no storage, and every
 *   hub on the same database computes the same. A POST without the right one is refused (403) before
 *   anything is done; so is one whose Origin header names another site.
 * - The login form has no session yet: a random `posdiag_login` cookie and the same value in the form
 *   (double submit), so another site cannot log a victim in under its own account.
 */
export const SESSION_COOKIE = 'posdiag_session';
export const LOGIN_COOKIE = 'posdiag_login';
export const LANG_COOKIE = 'posdiag_lang';
export const TZ_COOKIE = 'posdiag_tz';

export function parseCookies(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at < 0) continue;
    const name = part.slice(0, at).trim();
    if (!name || Object.hasOwn(out, name)) continue;
    try {
      out[name] = decodeURIComponent(part.slice(at + 1).trim());
    } catch {
      // A cookie this console did not set: ignored.
    }
  }
  return out;
}

export interface CookieOptions {
  secure: boolean;
  httpOnly?: boolean;
  maxAgeSeconds?: number;
}

export function cookie(name: string, value: string, o: CookieOptions): string {
  const parts = [`${name}=${encodeURIComponent(value)}`, 'Path=/', 'SameSite=Lax'];
  if (o.httpOnly ?? true) parts.push('HttpOnly');
  if (o.secure) parts.push('Secure');
  if (o.maxAgeSeconds !== undefined) parts.push(`Max-Age=${o.maxAgeSeconds}`);
  return parts.join('; ');
}

export function addCookie(res: ServerResponse, value: string): void {
  const prior = res.getHeader('set-cookie');
  const list = prior === undefined ? [] : Array.isArray(prior) ? prior : [String(prior)];
  res.setHeader('set-cookie', [...list, value]);
}

export function csrfToken(sessionId: string): string {
  return createHmac('sha256', sessionId).update('posdiag console csrf v1').digest('base64url');
}

export function newLoginNonce(): string {
  return randomBytes(18).toString('base64url');
}

/** Whether a form's `csrf` is the one of this session (constant time). */
export function csrfValid(sessionId: string, given: string | undefined): boolean {
  return given !== undefined && given !== '' && secretsEqual(given, csrfToken(sessionId));
}

/**
 * False when the request says it comes from another origin: browsers send Origin on every POST
 * (Sec-Fetch-Site too); absent, the CSRF token alone decides.
 */
export function sameOrigin(req: IncomingMessage): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return false;
  const origin = req.headers.origin;
  if (origin === undefined || origin === 'null') return origin === undefined;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

export interface ConsoleSession {
  id: string;
  principal: Principal;
  csrf: string;
}

/** The request's console session, or null when it has none that is live. */
export async function currentSession(req: IncomingMessage, sessions: Sessions): Promise<ConsoleSession | null> {
  const id = parseCookies(req)[SESSION_COOKIE];
  if (!id) return null;
  const principal = await sessions.verifySession(id);
  return principal ? { id, principal, csrf: csrfToken(id) } : null;
}
