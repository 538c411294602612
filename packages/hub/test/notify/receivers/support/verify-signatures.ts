import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Each scheme verified the way its receiving side does, written from the robots' documents and the
 * issue's contract, not by calling the hub's signer: a receiver that signs wrongly fails here.
 */

const HOUR_MS = 3_600_000;

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** `X-Posdiag-Signature: t=UNIX_SECONDS,v1=HEX`, HEX = HMAC-SHA256(secret, t + "." + body); t within 5 minutes. */
export function verifyPosdiagSignature(secret: string, header: string | undefined, body: string, nowMs: number): boolean {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header ?? '');
  if (!m) return false;
  const [, t, hex] = m as unknown as [string, string, string];
  if (Math.abs(nowMs / 1000 - Number(t)) > 300) return false;
  const mac = createHmac('sha256', Buffer.from(secret, 'utf8'));
  mac.update(Buffer.from(t + '.' + body, 'utf8'));
  return sameBytes(mac.digest(), Buffer.from(hex, 'hex'));
}

/**
 * DingTalk "加签": query `timestamp` (ms, within an hour) and `sign`, the URL-encoded Base64 of
 * HmacSHA256(key = secret, message = timestamp + "\n" + secret). Checks the raw query too: a Base64
 * '+' left unencoded would reach DingTalk as a space.
 */
export function verifyDingtalkSign(secret: string, pathAndQuery: string, nowMs: number): boolean {
  const rawQuery = pathAndQuery.split('?')[1] ?? '';
  const rawSign = /(?:^|&)sign=([^&]*)/.exec(rawQuery)?.[1];
  if (rawSign === undefined || /[+/=]/.test(rawSign)) return false;
  const params = new URLSearchParams(rawQuery);
  const timestamp = params.get('timestamp') ?? '';
  if (!/^\d{13}$/.test(timestamp) || Math.abs(nowMs - Number(timestamp)) > HOUR_MS) return false;
  const expected = createHmac('sha256', Buffer.from(secret, 'utf8')).update(Buffer.from(`${timestamp}\n${secret}`, 'utf8')).digest();
  return sameBytes(expected, Buffer.from(decodeURIComponent(rawSign), 'base64'));
}

/**
 * Feishu "签名校验": body `timestamp` (seconds, a string, within an hour) and `sign`, the Base64 of
 * HmacSHA256 keyed by timestamp + "\n" + secret over an empty message.
 */
export function verifyFeishuSign(secret: string, body: { timestamp?: unknown; sign?: unknown }, nowMs: number): boolean {
  if (typeof body.timestamp !== 'string' || !/^\d{10}$/.test(body.timestamp) || typeof body.sign !== 'string') return false;
  if (Math.abs(nowMs / 1000 - Number(body.timestamp)) > HOUR_MS / 1000) return false;
  const expected = createHmac('sha256', Buffer.from(`${body.timestamp}\n${secret}`, 'utf8')).update(Buffer.alloc(0)).digest();
  return sameBytes(expected, Buffer.from(body.sign, 'base64'));
}
