import { httpStatusFailure } from './http-post.js';
import { delivered, failed, oneLine, type DeliveryResult } from './notification.js';

/**
 * The IM robots (WeCom, DingTalk, Feishu) answer a refused message with HTTP 200 and an error code in
 * the JSON body (Feishu sometimes with HTTP 400), so a 2xx alone is not a delivery: only code 0 is.
 * A non-zero code is retryable only when it is the robot's rate limit; a bad sign, a bad key or a
 * refused body would fail the same way again.
 */

export interface RobotReplyRules {
  /** Named in the reason: "DingTalk errcode 310000: sign not match". */
  readonly service: string;
  /** Where the robot puts its code (the first present wins), and its message. */
  readonly codeKeys: readonly string[];
  readonly messageKeys: readonly string[];
  readonly rateLimitCodes: ReadonlySet<number>;
}

export function judgeRobotReply(status: number, text: string, rules: RobotReplyRules): DeliveryResult {
  if (status === 429 || status >= 500) return httpStatusFailure(status, text) ?? failed(true, `HTTP ${status}`);
  const body = parseObject(text);
  const codeKey = rules.codeKeys.find((k) => typeof body?.[k] === 'number');
  const code = codeKey === undefined ? undefined : (body?.[codeKey] as number);
  if (codeKey !== undefined && code !== 0) {
    const message = rules.messageKeys.map((k) => body?.[k]).find((m) => typeof m === 'string') ?? '';
    return failed(rules.rateLimitCodes.has(code as number), `${rules.service} ${codeKey} ${code}: ${message}`);
  }
  const httpFailure = httpStatusFailure(status, text);
  if (httpFailure) return httpFailure;
  if (codeKey === undefined) {
    return failed(false, `${rules.service} replied HTTP ${status} without ${rules.codeKeys[0]}: ${oneLine(text, 200)}`);
  }
  return delivered(`HTTP ${status}, ${rules.service} ${codeKey} 0`);
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
