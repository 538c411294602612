import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from 'posdiag-protocol/cli';
import { webhookReceiver } from '../../../src/notify/receivers/webhook.js';
import { startLoopbackReceiver, type Answer, type LoopbackReceiver } from './support/loopback-http.js';
import { firing, resolved, SENT_AT } from './support/notifications.js';
import { verifyPosdiagSignature } from './support/verify-signatures.js';

const SECRET = 'webhook-secret';
let server: LoopbackReceiver | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function receiverAnswering(answer: Answer, timeoutMs?: number) {
  server = await startLoopbackReceiver(() => answer);
  return webhookReceiver('ops-hook', { url: server.url, secret: SECRET }, { locale: 'en', ...(timeoutMs ? { timeoutMs } : {}) });
}

describe('generic webhook receiver', () => {
  it('posts Alertmanager webhook v4 JSON, signed with X-Posdiag-Signature over t.body', async () => {
    const hook = await receiverAnswering({ status: 200, body: '' });
    expect(await hook.send(firing, SENT_AT)).toEqual({ ok: true, detail: 'HTTP 200' });

    const [req] = server!.requests;
    expect(req!.method).toBe('POST');
    expect(req!.headers['content-type']).toMatch(/^application\/json/);
    expect(verifyPosdiagSignature(SECRET, req!.headers['x-posdiag-signature'] as string, req!.body, SENT_AT)).toBe(true);
    expect(verifyPosdiagSignature('another-secret', req!.headers['x-posdiag-signature'] as string, req!.body, SENT_AT)).toBe(false);
    expect(JSON.parse(req!.body)).toEqual({
      version: '4',
      groupKey: '{}:{code="printer.paper_end"}',
      truncatedAlerts: 0,
      status: 'firing',
      receiver: 'ops',
      groupLabels: { code: 'printer.paper_end' },
      commonLabels: { code: 'printer.paper_end', severity: 'major', category: 'hardware', region: 'east' },
      commonAnnotations: { summary: 'The printer is out of paper', needsTechnician: 'false' },
      externalURL: 'https://console.test',
      alerts: ['T-0001', 'T-0002'].map((terminal) => ({
        status: 'firing',
        labels: { terminal, code: 'printer.paper_end', severity: 'major', category: 'hardware', region: 'east' },
        annotations: { summary: 'The printer is out of paper', needsTechnician: 'false' },
        startsAt: '2026-01-01T08:00:00.000Z',
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: `https://console.test/alarms/${terminal}`,
        fingerprint: `fp-${terminal}`,
      })),
    });
  });

  it('sends the resolved notice with its end time, and the summary in the receiver locale', async () => {
    server = await startLoopbackReceiver(() => ({ status: 204, body: '' }));
    const hook = webhookReceiver('ops-hook', { url: server.url, secret: SECRET }, { locale: 'zh-CN' });
    expect((await hook.send(resolved, SENT_AT)).ok).toBe(true);
    const body = JSON.parse(server.requests[0]!.body);
    expect(body.status).toBe('resolved');
    expect(body.alerts[0]).toMatchObject({ status: 'resolved', endsAt: '2026-01-01T08:10:00.000Z', annotations: { summary: '打印机缺纸' } });
  });

  it('a 5xx or 429 is retryable, another 4xx or a redirect is not', async () => {
    expect(await (await receiverAnswering({ status: 500, body: 'boom' })).send(firing, SENT_AT)).toEqual({ ok: false, retryable: true, reason: 'HTTP 500: boom' });
    await server!.close();
    expect(await (await receiverAnswering({ status: 429, body: '' })).send(firing, SENT_AT)).toMatchObject({ ok: false, retryable: true });
    await server!.close();
    expect(await (await receiverAnswering({ status: 401, body: 'bad signature' })).send(firing, SENT_AT)).toEqual({
      ok: false,
      retryable: false,
      reason: 'HTTP 401: bad signature',
    });
    await server!.close();
    expect(await (await receiverAnswering({ status: 302, body: '' })).send(firing, SENT_AT)).toEqual({
      ok: false,
      retryable: false,
      reason: 'HTTP 302: redirects are not followed',
    });
  });

  it('a server that never answers is a retryable timeout, not a hang or a rejection', async () => {
    const hook = await receiverAnswering('hang', 200);
    expect(await hook.send(firing, SENT_AT)).toEqual({ ok: false, retryable: true, reason: 'timed out after 200 ms' });
  });

  it('a refused connection is retryable', async () => {
    const hook = await receiverAnswering({ status: 200, body: '' });
    await server!.close();
    expect(await hook.send(firing, SENT_AT)).toEqual({ ok: false, retryable: true, reason: 'connection failed: ECONNREFUSED' });
  });

  it('checks its URL and secret when built', () => {
    const build = (url: string, secret = SECRET) => () => webhookReceiver('ops-hook', { url, secret }, { locale: 'en' });
    expect(build('ftp://127.0.0.1/x')).toThrow(new ConfigError('receiver "ops-hook": webhook.url must be http or https, not ftp'));
    expect(build('not a url')).toThrow(new ConfigError('receiver "ops-hook": webhook.url is not a URL: not a url'));
    expect(build('http://127.0.0.1/x', '')).toThrow(new ConfigError('receiver "ops-hook": webhook.secret is required'));
    expect(() => webhookReceiver('ops-hook', { url: 'http://127.0.0.1/x', secret: SECRET }, { locale: 'en', timeoutMs: 0 })).toThrow(ConfigError);
  });
});
