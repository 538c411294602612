import { ConfigError } from 'posdiag-protocol/cli';

/**
 * What every receiver checks at construction, so a bad routing file fails at start with one line
 * naming the receiver and the key, never at the first alarm.
 */

export function requireUrl(receiver: string, key: string, raw: unknown, protocols: readonly string[]): URL {
  if (typeof raw !== 'string' || raw === '') throw new ConfigError(`receiver "${receiver}": ${key} is required`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`receiver "${receiver}": ${key} is not a URL: ${raw}`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new ConfigError(
      `receiver "${receiver}": ${key} must be ${protocols.map((p) => p.replace(/:$/, '')).join(' or ')}, not ${url.protocol.replace(/:$/, '')}`,
    );
  }
  return url;
}

export function requireHttpUrl(receiver: string, key: string, raw: unknown): URL {
  return requireUrl(receiver, key, raw, ['http:', 'https:']);
}

export function requireText(receiver: string, key: string, raw: unknown): string {
  if (typeof raw !== 'string' || raw === '') throw new ConfigError(`receiver "${receiver}": ${key} is required`);
  return raw;
}

export function optionalText(receiver: string, key: string, raw: unknown): string | undefined {
  return raw === undefined ? undefined : requireText(receiver, key, raw);
}

export function requireTimeout(receiver: string, raw: number | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  if (!Number.isInteger(raw) || raw <= 0) throw new ConfigError(`receiver "${receiver}": timeout must be a positive whole number of ms`);
  return raw;
}
