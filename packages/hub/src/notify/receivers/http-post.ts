import { failed, oneLine, type DeliveryResult } from './notification.js';

/**
 * The one HTTP POST every HTTP receiver makes: JSON, bounded by a timeout that covers connecting,
 * sending and reading the reply, redirects not followed (a signed body goes only where it was
 * configured to), and every error turned into a failed DeliveryResult instead of a rejection.
 */

export type PostOutcome =
  | { readonly kind: 'reply'; readonly status: number; readonly text: string }
  | { readonly kind: 'failed'; readonly result: DeliveryResult };

export async function postJson(url: URL, body: string, headers: Readonly<Record<string, string>>, timeoutMs: number): Promise<PostOutcome> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    return { kind: 'reply', status: response.status, text: await response.text() };
  } catch (error) {
    return { kind: 'failed', result: failed(true, describeFetchError(error, timeoutMs)) };
  }
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && error.name === 'TimeoutError') return `timed out after ${timeoutMs} ms`;
  const cause = error instanceof Error ? (error.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  if (typeof cause?.code === 'string') return `connection failed: ${cause.code}`;
  if (typeof cause?.message === 'string') return `connection failed: ${cause.message}`;
  return `connection failed: ${error instanceof Error ? error.message : String(error)}`;
}

/**
 * A reply's HTTP status as a failure, or null for 2xx. Worth retrying: 408, 425, 429 and 5xx (the
 * server is busy or down); not: a redirect or another 4xx (the request itself is refused).
 */
export function httpStatusFailure(status: number, text: string): DeliveryResult | null {
  if (status >= 200 && status < 300) return null;
  const retryable = status === 408 || status === 425 || status === 429 || status >= 500;
  const why = status >= 300 && status < 400 ? 'redirects are not followed' : oneLine(text, 200);
  return failed(retryable, why === '' ? `HTTP ${status}` : `HTTP ${status}: ${why}`);
}
