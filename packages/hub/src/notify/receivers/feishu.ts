import { optionalText, requireHttpUrl, requireTimeout } from './config-checks.js';
import { postJson } from './http-post.js';
import { DEFAULT_SEND_TIMEOUT_MS, receiver, type Receiver, type ReceiverOptions } from './notification.js';
import { judgeRobotReply, type RobotReplyRules } from './robot-reply.js';
import { feishuSign } from './signatures.js';
import { composeBody, renderNotification } from './templates.js';

/**
 * Feishu/Lark (飞书) custom bot (open.feishu.cn/document/client-docs/bot-v3/add-custom-bot): POST
 * {"msg_type":"interactive","card"} to the bot's URL, with `timestamp` (seconds, a string) and `sign`
 * in the body when the bot's security setting is "签名校验" (signatures.ts). It answers code 0 (older
 * bots: StatusCode 0), or e.g. 19021 (sign or timestamp refused), 9499 (bad request) and 11232 (its
 * rate limit: 100 a minute, 5 a second). A request body over 20 KB is refused, so the card is kept below.
 */

export interface FeishuConfig {
  readonly url: string;
  readonly secret?: string;
}

export const FEISHU_CONTENT_BYTES = 18_000;

const FEISHU_REPLY: RobotReplyRules = {
  service: 'Feishu',
  codeKeys: ['code', 'StatusCode'],
  messageKeys: ['msg', 'StatusMessage'],
  rateLimitCodes: new Set([11232]),
};

export function feishuReceiver(name: string, config: FeishuConfig, options: ReceiverOptions): Receiver {
  const url = requireHttpUrl(name, 'feishu.url', config.url);
  const secret = optionalText(name, 'feishu.secret', config.secret);
  const timeoutMs = requireTimeout(name, options.timeoutMs, DEFAULT_SEND_TIMEOUT_MS);
  return receiver(name, 'feishu', async (n, now) => {
    const r = renderNotification(n, options.locale, 'markdown');
    const card = {
      header: { title: { tag: 'plain_text', content: r.title }, template: n.status === 'firing' ? 'red' : 'green' },
      elements: [{ tag: 'div', text: { tag: 'lark_md', content: composeBody(r, null, FEISHU_CONTENT_BYTES) } }],
    };
    const seconds = Math.floor(now / 1000);
    const signed = secret === undefined ? {} : { timestamp: String(seconds), sign: feishuSign(secret, seconds) };
    const outcome = await postJson(url, JSON.stringify({ ...signed, msg_type: 'interactive', card }), {}, timeoutMs);
    return outcome.kind === 'failed' ? outcome.result : judgeRobotReply(outcome.status, outcome.text, FEISHU_REPLY);
  });
}
