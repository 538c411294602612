import { afterEach, describe, expect, it } from 'vitest';
import { dingtalkReceiver } from '../../../src/notify/receivers/dingtalk.js';
import { ok, startLoopbackReceiver, type Answer, type LoopbackReceiver } from './support/loopback-http.js';
import { firing, resolved, SENT_AT } from './support/notifications.js';
import { verifyDingtalkSign } from './support/verify-signatures.js';

// A secret whose signatures often hold '+', '/' and '=' in Base64: the raw query must carry them encoded.
const SECRET = 'SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd';
let server: LoopbackReceiver | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Answers as DingTalk does: errcode 310000 when the sign does not verify. */
async function robot(reply: () => Answer = () => ok({ errcode: 0, errmsg: 'ok' })) {
  server = await startLoopbackReceiver(
    (req) => (verifyDingtalkSign(SECRET, req.url, SENT_AT) ? reply() : ok({ errcode: 310000, errmsg: 'sign not match' })),
    '/robot/send',
  );
  return `${server.url}?access_token=tok123`;
}

describe('DingTalk custom robot receiver', () => {
  it('signs with timestamp and sign query parameters and sends markdown {title, text}', async () => {
    const url = await robot();
    const result = await dingtalkReceiver('dt', { url, secret: SECRET }, { locale: 'zh-CN' }).send(firing, SENT_AT);
    expect(result).toEqual({ ok: true, detail: 'HTTP 200, DingTalk errcode 0' });

    const req = server!.requests[0]!;
    const query = new URLSearchParams(req.url.split('?')[1]);
    expect(query.get('access_token')).toBe('tok123');
    expect(query.get('timestamp')).toBe(String(SENT_AT));
    const body = JSON.parse(req.body);
    expect(body.msgtype).toBe('markdown');
    expect(body.markdown.title).toBe('[告警:2] printer.paper_end — T-0001, T-0002');
    expect(body.markdown.text.split('\n')).toEqual([
      '### [告警:2] printer.paper_end — T-0001, T-0002',
      '[在控制台查看](https://console.test)',
      '- **T-0001** printer.paper_end · 重要 · 始于 2026-01-01 08:00:00 UTC — 打印机缺纸',
      '- **T-0002** printer.paper_end · 重要 · 始于 2026-01-01 08:00:00 UTC — 打印机缺纸',
    ]);
  });

  it('a signature made with another secret is refused: errcode 310000, not retryable', async () => {
    const url = await robot();
    expect(await dingtalkReceiver('dt', { url, secret: 'SECwrong' }, { locale: 'en' }).send(firing, SENT_AT)).toEqual({
      ok: false,
      retryable: false,
      reason: 'DingTalk errcode 310000: sign not match',
    });
  });

  it('its rate limit (errcode 130101) and an HTTP 5xx are retryable', async () => {
    const url = await robot(() => ok({ errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' }));
    expect(await dingtalkReceiver('dt', { url, secret: SECRET }, { locale: 'en' }).send(firing, SENT_AT)).toEqual({
      ok: false,
      retryable: true,
      reason: 'DingTalk errcode 130101: send too fast, exceed 20 times per minute',
    });
    await server!.close();
    const down = await robot(() => ({ status: 503, body: 'busy' }));
    expect(await dingtalkReceiver('dt', { url: down, secret: SECRET }, { locale: 'en' }).send(firing, SENT_AT)).toMatchObject({ ok: false, retryable: true });
  });

  it('a 200 without errcode is not taken for a delivery', async () => {
    const url = await robot(() => ({ status: 200, body: '<html>portal</html>' }));
    expect(await dingtalkReceiver('dt', { url, secret: SECRET }, { locale: 'en' }).send(firing, SENT_AT)).toEqual({
      ok: false,
      retryable: false,
      reason: 'DingTalk replied HTTP 200 without errcode: <html>portal</html>',
    });
  });

  it('without a secret (a keyword or IP robot) sends no sign', async () => {
    server = await startLoopbackReceiver(() => ok({ errcode: 0, errmsg: 'ok' }));
    const result = await dingtalkReceiver('dt', { url: `${server.url}?access_token=t` }, { locale: 'en' }).send(resolved, SENT_AT);
    expect(result.ok).toBe(true);
    expect(server.requests[0]!.url).toBe('/hook?access_token=t');
    expect(JSON.parse(server.requests[0]!.body).markdown.title).toBe('[RESOLVED:1] printer.paper_end — T-0001');
  });

  it('a robot that never answers is a retryable timeout', async () => {
    const url = await robot(() => 'hang');
    expect(await dingtalkReceiver('dt', { url, secret: SECRET }, { locale: 'en', timeoutMs: 200 }).send(firing, SENT_AT)).toEqual({
      ok: false,
      retryable: true,
      reason: 'timed out after 200 ms',
    });
  });
});
