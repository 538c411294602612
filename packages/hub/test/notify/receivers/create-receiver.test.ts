import { describe, expect, it } from 'vitest';
import { ConfigError } from 'posdiag-protocol/cli';
import { createReceiver, type Notification, type ReceiverSpec } from '../../../src/notify/receivers/index.js';
import { firing, SENT_AT } from './support/notifications.js';

describe('createReceiver (one entry of the routing file)', () => {
  it('builds the receiver its one key names', () => {
    const specs: ReceiverSpec[] = [
      { name: 'a', webhook: { url: 'https://hooks.test/x', secret: 's' } },
      { name: 'b', wecom: { url: 'https://wecom.test/send?key=k' } },
      { name: 'c', dingtalk: { url: 'https://dingtalk.test/robot/send?access_token=t', secret: 'SEC1' } },
      { name: 'd', feishu: { url: 'https://feishu.test/open-apis/bot/v2/hook/x', secret: 's' } },
      { name: 'e', email: { smtp: 'smtp://mail.test:25', from: 'hub@x.test', to: ['ops@x.test'] } },
    ];
    expect(specs.map((s) => createReceiver(s, { locale: 'en' })).map((r) => [r.name, r.kind])).toEqual([
      ['a', 'webhook'],
      ['b', 'wecom'],
      ['c', 'dingtalk'],
      ['d', 'feishu'],
      ['e', 'email'],
    ]);
  });

  it('refuses an entry with no kind or two, naming the receiver', () => {
    expect(() => createReceiver({ name: 'x' } as unknown as ReceiverSpec, { locale: 'en' })).toThrow(
      new ConfigError('receiver "x": needs exactly one of webhook, wecom, dingtalk, feishu, email'),
    );
    const both = { name: 'y', wecom: { url: 'https://a.test' }, feishu: { url: 'https://b.test' } } as unknown as ReceiverSpec;
    expect(() => createReceiver(both, { locale: 'en' })).toThrow(
      new ConfigError('receiver "y": needs exactly one of webhook, wecom, dingtalk, feishu, email, not wecom and feishu'),
    );
  });

  it('refuses a robot URL that is not http or https', () => {
    expect(() => createReceiver({ name: 'z', dingtalk: { url: 'file:///etc/passwd' } }, { locale: 'en' })).toThrow(
      new ConfigError('receiver "z": dingtalk.url must be http or https, not file'),
    );
  });

  it('send never rejects: a notification its code cannot render is a final failure', async () => {
    const wecom = createReceiver({ name: 'w', wecom: { url: 'http://127.0.0.1:9/send' } }, { locale: 'en' });
    const broken = { ...firing, alerts: [{ ...firing.alerts[0], annotations: undefined }] } as unknown as Notification;
    expect(await wecom.send(broken, SENT_AT)).toMatchObject({ ok: false, retryable: false, reason: expect.stringMatching(/^wecom receiver failed: /) });
  });
});
