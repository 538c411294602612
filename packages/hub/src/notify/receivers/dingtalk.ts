import { optionalText, requireHttpUrl, requireTimeout } from './config-checks.js';
import { postJson } from './http-post.js';
import { DEFAULT_SEND_TIMEOUT_MS, receiver, type Receiver, type ReceiverOptions } from './notification.js';
import { judgeRobotReply, type RobotReplyRules } from './robot-reply.js';
import { dingtalkSign } from './signatures.js';
import { composeBody, renderNotification } from './templates.js';

/**
 * DingTalk (钉钉) custom robot (open.dingtalk.com/document/robots/custom-robot-access): POST
 * {"msgtype":"markdown","markdown":{"title","text"}} to the robot's URL (access_token), with
 * `timestamp` and `sign` query parameters when the robot's security setting is "加签" (signatures.ts;
 * without a secret the robot must use keywords or an IP list instead). The robot answers errcode 0,
 * or e.g. 310000 (sign, keyword or IP refused) and 130101 ("send too fast, exceed 20 times per
 * minute", its rate limit). A body over 20000 bytes is refused (460101), so the text is kept below.
 */

export interface DingtalkConfig {
  readonly url: string;
  readonly secret?: string;
}

export const DINGTALK_TEXT_BYTES = 18_000;

const DINGTALK_REPLY: RobotReplyRules = {
  service: 'DingTalk',
  codeKeys: ['errcode'],
  messageKeys: ['errmsg'],
  rateLimitCodes: new Set([130101]),
};

export function dingtalkReceiver(name: string, config: DingtalkConfig, options: ReceiverOptions): Receiver {
  const base = requireHttpUrl(name, 'dingtalk.url', config.url);
  const secret = optionalText(name, 'dingtalk.secret', config.secret);
  const timeoutMs = requireTimeout(name, options.timeoutMs, DEFAULT_SEND_TIMEOUT_MS);
  return receiver(name, 'dingtalk', async (n, now) => {
    const url = new URL(base);
    if (secret !== undefined) {
      url.searchParams.set('timestamp', String(now));
      url.searchParams.set('sign', dingtalkSign(secret, now));
    }
    const r = renderNotification(n, options.locale, 'markdown');
    const body = { msgtype: 'markdown', markdown: { title: r.title, text: composeBody(r, `### ${r.title}`, DINGTALK_TEXT_BYTES) } };
    const outcome = await postJson(url, JSON.stringify(body), {}, timeoutMs);
    return outcome.kind === 'failed' ? outcome.result : judgeRobotReply(outcome.status, outcome.text, DINGTALK_REPLY);
  });
}
