import { afterEach, describe, expect, it } from 'vitest';
import { WECOM_CONTENT_BYTES, wecomReceiver } from '../../../src/notify/receivers/wecom.js';
import { ok, startLoopbackReceiver, type Answer, type LoopbackReceiver } from './support/loopback-http.js';
import { firing, group, paperEnd, SENT_AT } from './support/notifications.js';

let server: LoopbackReceiver | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function robot(answer: Answer = ok({ errcode: 0, errmsg: 'ok' })) {
  server = await startLoopbackReceiver(() => answer, '/cgi-bin/webhook/send');
  return `${server.url}?key=k-123`;
}

describe('WeCom group robot receiver', () => {
  it('sends msgtype markdown to the robot URL with its key', async () => {
    const url = await robot();
    expect(await wecomReceiver('wc', { url }, { locale: 'zh-CN' }).send(firing, SENT_AT)).toEqual({ ok: true, detail: 'HTTP 200, WeCom errcode 0' });
    const req = server!.requests[0]!;
    expect(req.url).toBe('/cgi-bin/webhook/send?key=k-123');
    const body = JSON.parse(req.body);
    expect(body.msgtype).toBe('markdown');
    expect(body.markdown.content.split('\n')).toEqual([
      '**[告警:2] printer.paper_end — T-0001, T-0002**',
      '[在控制台查看](https://console.test)',
      '- **T-0001** printer.paper_end · 重要 · 始于 2026-01-01 08:00:00 UTC — 打印机缺纸',
      '- **T-0002** printer.paper_end · 重要 · 始于 2026-01-01 08:00:00 UTC — 打印机缺纸',
    ]);
  });

  it('keeps content within 4096 bytes by dropping whole alert lines and counting them', async () => {
    const url = await robot();
    const many = group(Array.from({ length: 200 }, (_, i) => paperEnd(`T-${String(i).padStart(4, '0')}`)));
    expect((await wecomReceiver('wc', { url }, { locale: 'zh-CN' }).send(many, SENT_AT)).ok).toBe(true);
    const content: string = JSON.parse(server!.requests[0]!.body).markdown.content;
    expect(Buffer.byteLength(content, 'utf8')).toBeLessThanOrEqual(WECOM_CONTENT_BYTES);
    const lines = content.split('\n');
    expect(lines[0]).toBe('**[告警:200] printer.paper_end — 200 台终端**');
    const shown = lines.filter((l) => l.startsWith('- **T-')).length;
    expect(shown).toBeGreaterThan(10);
    expect(lines.at(-1)).toBe(`… 另有 ${200 - shown} 条`);
    expect(lines.slice(2, -1).every((l) => l.endsWith('— 打印机缺纸'))).toBe(true);
  });

  it('its rate limit (errcode 45009) is retryable; a bad key (93000) is not', async () => {
    const url = await robot(ok({ errcode: 45009, errmsg: 'api freq out of limit' }));
    expect(await wecomReceiver('wc', { url }, { locale: 'en' }).send(firing, SENT_AT)).toEqual({
      ok: false,
      retryable: true,
      reason: 'WeCom errcode 45009: api freq out of limit',
    });
    await server!.close();
    const bad = await robot(ok({ errcode: 93000, errmsg: 'invalid webhook url' }));
    expect(await wecomReceiver('wc', { url: bad }, { locale: 'en' }).send(firing, SENT_AT)).toEqual({
      ok: false,
      retryable: false,
      reason: 'WeCom errcode 93000: invalid webhook url',
    });
  });
});
