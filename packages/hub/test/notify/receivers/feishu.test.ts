import { afterEach, describe, expect, it } from 'vitest';
import { feishuReceiver } from '../../../src/notify/receivers/feishu.js';
import { ok, startLoopbackReceiver, type Answer, type LoopbackReceiver } from './support/loopback-http.js';
import { firing, resolved, SENT_AT } from './support/notifications.js';
import { verifyFeishuSign } from './support/verify-signatures.js';

const SECRET = 'feishu-bot-secret';
let server: LoopbackReceiver | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Answers as a Feishu bot with 签名校验 does: code 19021 when the sign does not verify. */
async function bot(reply: () => Answer = () => ok({ code: 0, msg: 'success', data: {} })) {
  server = await startLoopbackReceiver((req) =>
    verifyFeishuSign(SECRET, JSON.parse(req.body), SENT_AT)
      ? reply()
      : ok({ code: 19021, msg: 'sign match fail or timestamp is not within one hour from current time' }),
  );
  return server.url;
}

describe('Feishu/Lark custom bot receiver', () => {
  it('puts timestamp (seconds, a string) and sign in the body and sends an interactive card', async () => {
    const url = await bot();
    expect(await feishuReceiver('fs', { url, secret: SECRET }, { locale: 'en' }).send(firing, SENT_AT)).toEqual({
      ok: true,
      detail: 'HTTP 200, Feishu code 0',
    });
    const body = JSON.parse(server!.requests[0]!.body);
    expect(body.timestamp).toBe(String(Math.floor(SENT_AT / 1000)));
    expect(body.msg_type).toBe('interactive');
    expect(body.card.header).toEqual({ title: { tag: 'plain_text', content: '[FIRING:2] printer.paper_end — T-0001, T-0002' }, template: 'red' });
    expect(body.card.elements[0].text.tag).toBe('lark_md');
    expect(body.card.elements[0].text.content.split('\n')).toEqual([
      '[Open in the console](https://console.test)',
      '- **T-0001** printer.paper_end · major · since 2026-01-01 08:00:00 UTC — The printer is out of paper',
      '- **T-0002** printer.paper_end · major · since 2026-01-01 08:00:00 UTC — The printer is out of paper',
    ]);
  });

  it('a resolved notice is a green card', async () => {
    const url = await bot();
    expect((await feishuReceiver('fs', { url, secret: SECRET }, { locale: 'zh-CN' }).send(resolved, SENT_AT)).ok).toBe(true);
    const body = JSON.parse(server!.requests[0]!.body);
    expect(body.card.header).toEqual({ title: { tag: 'plain_text', content: '[已恢复:1] printer.paper_end — T-0001' }, template: 'green' });
    expect(body.card.elements[0].text.content).toContain('恢复于 2026-01-01 08:10:00 UTC');
  });

  it('a wrong sign (code 19021) is not retryable, nor is a bad request answered with HTTP 400', async () => {
    const url = await bot();
    expect(await feishuReceiver('fs', { url, secret: 'other' }, { locale: 'en' }).send(firing, SENT_AT)).toEqual({
      ok: false,
      retryable: false,
      reason: 'Feishu code 19021: sign match fail or timestamp is not within one hour from current time',
    });
    await server!.close();
    const strict = await bot(() => ({ status: 400, body: JSON.stringify({ code: 9499, msg: 'Bad Request', data: {} }) }));
    expect(await feishuReceiver('fs', { url: strict, secret: SECRET }, { locale: 'en' }).send(firing, SENT_AT)).toEqual({
      ok: false,
      retryable: false,
      reason: 'Feishu code 9499: Bad Request',
    });
  });

  it('its rate limit (code 11232) and HTTP 429 are retryable', async () => {
    const url = await bot(() => ok({ code: 11232, msg: 'frequency limited psm' }));
    expect(await feishuReceiver('fs', { url, secret: SECRET }, { locale: 'en' }).send(firing, SENT_AT)).toEqual({
      ok: false,
      retryable: true,
      reason: 'Feishu code 11232: frequency limited psm',
    });
    await server!.close();
    const limited = await bot(() => ({ status: 429, body: '' }));
    expect(await feishuReceiver('fs', { url: limited, secret: SECRET }, { locale: 'en' }).send(firing, SENT_AT)).toEqual({
      ok: false,
      retryable: true,
      reason: 'HTTP 429',
    });
  });

  it('reads the older bots’ StatusCode reply, and sends no sign without a secret', async () => {
    server = await startLoopbackReceiver(() => ok({ Extra: null, StatusCode: 0, StatusMessage: 'success' }));
    expect(await feishuReceiver('fs', { url: server.url }, { locale: 'en' }).send(firing, SENT_AT)).toEqual({
      ok: true,
      detail: 'HTTP 200, Feishu StatusCode 0',
    });
    const body = JSON.parse(server.requests[0]!.body);
    expect('sign' in body || 'timestamp' in body).toBe(false);
  });
});
