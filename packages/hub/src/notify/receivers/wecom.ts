import { requireHttpUrl, requireTimeout } from './config-checks.js';
import { postJson } from './http-post.js';
import { DEFAULT_SEND_TIMEOUT_MS, receiver, type Receiver, type ReceiverOptions } from './notification.js';
import { judgeRobotReply, type RobotReplyRules } from './robot-reply.js';
import { composeBody, renderNotification } from './templates.js';

/**
 * WeCom (企业微信) group robot (developer.work.weixin.qq.com/document/path/91770): POST
 * {"msgtype":"markdown","markdown":{"content"}} to the robot's URL (its `key` is the credential; no
 * signing). content: at most 4096 bytes of UTF-8 (more is refused, errcode 40058); a robot may send
 * 20 messages a minute, past which it answers errcode 45009.
 */

export interface WecomConfig {
  readonly url: string;
}

export const WECOM_CONTENT_BYTES = 4096;

const WECOM_REPLY: RobotReplyRules = {
  service: 'WeCom',
  codeKeys: ['errcode'],
  messageKeys: ['errmsg'],
  rateLimitCodes: new Set([45009]),
};

export function wecomReceiver(name: string, config: WecomConfig, options: ReceiverOptions): Receiver {
  const url = requireHttpUrl(name, 'wecom.url', config.url);
  const timeoutMs = requireTimeout(name, options.timeoutMs, DEFAULT_SEND_TIMEOUT_MS);
  return receiver(name, 'wecom', async (n) => {
    const r = renderNotification(n, options.locale, 'markdown');
    const content = composeBody(r, `**${r.title}**`, WECOM_CONTENT_BYTES);
    const outcome = await postJson(url, JSON.stringify({ msgtype: 'markdown', markdown: { content } }), {}, timeoutMs);
    return outcome.kind === 'failed' ? outcome.result : judgeRobotReply(outcome.status, outcome.text, WECOM_REPLY);
  });
}
