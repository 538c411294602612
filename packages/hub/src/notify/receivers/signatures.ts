import { createHmac } from 'node:crypto';

/**
 * The three signing schemes, pure: the receivers put their result where each scheme says, and the
 * tests verify them with their own code from the same documents.
 */

/**
 * The generic webhook's own (issue 13's contract): header `X-Posdiag-Signature: t=UNIX_SECONDS,v1=HEX`,
 * HEX = hex HMAC-SHA256 keyed by the secret over `t + "." + body`, so a receiver can reject a replay by
 * its age and a forgery by its MAC, as Stripe-style signatures do.
 */
export function webhookSignature(secret: string, unixSeconds: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

/**
 * DingTalk custom robot, "加签" (open.dingtalk.com/document/robots/customize-robot-security-settings):
 * string to sign = timestamp (ms) + "\n" + secret, HmacSHA256 keyed by the secret, then Base64, then
 * URL-encoded into the `sign` query parameter beside `timestamp`. The robot refuses a timestamp more
 * than an hour from its clock. Returned raw (Base64): URLSearchParams does the URL-encoding.
 */
export function dingtalkSign(secret: string, timestampMs: number): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');
}

/**
 * Feishu/Lark custom bot, "签名校验" (open.feishu.cn/document/client-docs/bot-v3/add-custom-bot):
 * timestamp in seconds; the HMAC-SHA256 *key* is timestamp + "\n" + secret and the message is empty
 * (their Python sample: hmac.new(key_enc, b"", sha256)); Base64, in the body's `sign`. Note the
 * difference from DingTalk, whose key is the secret. Refused when more than an hour old (code 19021).
 */
export function feishuSign(secret: string, timestampSeconds: number): string {
  return createHmac('sha256', `${timestampSeconds}\n${secret}`).update('').digest('base64');
}
