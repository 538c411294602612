import { ConfigError } from 'posdiag-protocol/cli';
import { dingtalkReceiver, type DingtalkConfig } from './dingtalk.js';
import { emailReceiver, type EmailConfig } from './email.js';
import { feishuReceiver, type FeishuConfig } from './feishu.js';
import type { Receiver, ReceiverOptions } from './notification.js';
import { webhookReceiver, type WebhookConfig } from './webhook.js';
import { wecomReceiver, type WecomConfig } from './wecom.js';

/**
 * The receivers: one per entry of the routing file's `receivers` (issue 13's contract), each
 * validated at construction, each sending one Notification per call and answering a DeliveryResult.
 * No state, no store: routing decides what to send, the delivery queue when to retry.
 */

export type ReceiverSpec =
  | { readonly name: string; readonly webhook: WebhookConfig }
  | { readonly name: string; readonly wecom: WecomConfig }
  | { readonly name: string; readonly dingtalk: DingtalkConfig }
  | { readonly name: string; readonly feishu: FeishuConfig }
  | { readonly name: string; readonly email: EmailConfig };

const KINDS = ['webhook', 'wecom', 'dingtalk', 'feishu', 'email'] as const;

export function createReceiver(spec: ReceiverSpec, options: ReceiverOptions): Receiver {
  const present = KINDS.filter((k) => k in spec);
  if (present.length !== 1) {
    throw new ConfigError(`receiver "${spec.name}": needs exactly one of ${KINDS.join(', ')}${present.length > 1 ? `, not ${present.join(' and ')}` : ''}`);
  }
  if ('webhook' in spec) return webhookReceiver(spec.name, spec.webhook, options);
  if ('wecom' in spec) return wecomReceiver(spec.name, spec.wecom, options);
  if ('dingtalk' in spec) return dingtalkReceiver(spec.name, spec.dingtalk, options);
  if ('feishu' in spec) return feishuReceiver(spec.name, spec.feishu, options);
  return emailReceiver(spec.name, spec.email, options);
}

export * from './notification.js';
export { alertmanagerPayload, SIGNATURE_HEADER, type WebhookConfig } from './webhook.js';
export type { DingtalkConfig } from './dingtalk.js';
export type { EmailConfig } from './email.js';
export type { FeishuConfig } from './feishu.js';
export type { WecomConfig } from './wecom.js';
