import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from 'posdiag-protocol/cli';
import { emailReceiver } from '../../../src/notify/receivers/email.js';
import { startLoopbackSmtp, startSilentServer } from './support/loopback-smtp.js';
import { firing, resolved, SENT_AT } from './support/notifications.js';

const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function smtp(refuse?: { code: number; message: string }) {
  const server = await startLoopbackSmtp(refuse);
  closers.push(server.close);
  return server;
}

const addresses = { from: 'posdiag hub <hub@posdiag.test>', to: ['ops@posdiag.test', 'lead@posdiag.test'] };

describe('e-mail receiver (SMTP)', () => {
  it('sends the title as subject and one line per alert as the text body', async () => {
    const server = await smtp();
    const result = await emailReceiver('mail', { smtp: server.url, ...addresses }, { locale: 'en' }).send(firing, SENT_AT);
    expect(result).toMatchObject({ ok: true });
    expect(result.ok && result.detail).toMatch(/^SMTP 250/);

    const [mail] = server.mails;
    expect(mail!.subject).toBe('[FIRING:2] printer.paper_end — T-0001, T-0002');
    expect(mail!.from!.value).toEqual([{ name: 'posdiag hub', address: 'hub@posdiag.test' }]);
    expect((Array.isArray(mail!.to) ? mail!.to : [mail!.to]).flatMap((t) => t!.value.map((v) => v.address))).toEqual(addresses.to);
    expect(mail!.text!.trim().split('\n')).toEqual([
      'Open in the console: https://console.test',
      '* T-0001 printer.paper_end · major · since 2026-01-01 08:00:00 UTC — The printer is out of paper',
      '* T-0002 printer.paper_end · major · since 2026-01-01 08:00:00 UTC — The printer is out of paper',
    ]);
  });

  it('writes zh-CN, resolved notices included', async () => {
    const server = await smtp();
    expect((await emailReceiver('mail', { smtp: server.url, ...addresses }, { locale: 'zh-CN' }).send(resolved, SENT_AT)).ok).toBe(true);
    const [mail] = server.mails;
    expect(mail!.subject).toBe('[已恢复:1] printer.paper_end — T-0001');
    expect(mail!.text).toContain('* T-0001 printer.paper_end · 重要 · 始于 2026-01-01 08:00:00 UTC · 恢复于 2026-01-01 08:10:00 UTC — 打印机缺纸');
  });

  it('a 5xx refusal is final, a 4xx one retryable', async () => {
    const refusing = await smtp({ code: 550, message: 'no such mailbox' });
    const final = await emailReceiver('mail', { smtp: refusing.url, ...addresses }, { locale: 'en' }).send(firing, SENT_AT);
    expect(final).toMatchObject({ ok: false, retryable: false });
    expect(!final.ok && final.reason).toMatch(/^SMTP 550 no such mailbox/);

    const busy = await smtp({ code: 451, message: 'try again later' });
    const later = await emailReceiver('mail', { smtp: busy.url, ...addresses }, { locale: 'en' }).send(firing, SENT_AT);
    expect(later).toMatchObject({ ok: false, retryable: true });
    expect(!later.ok && later.reason).toMatch(/^SMTP 451 try again later/);
  });

  it('a server that never greets is a retryable timeout', async () => {
    const silent = await startSilentServer();
    closers.push(silent.close);
    const result = await emailReceiver('mail', { smtp: silent.url, ...addresses }, { locale: 'en', timeoutMs: 200 }).send(firing, SENT_AT);
    expect(result).toMatchObject({ ok: false, retryable: true });
  });

  it('checks smtp, from and to when built', () => {
    const build = (config: Partial<Parameters<typeof emailReceiver>[1]>) => () =>
      emailReceiver('mail', { smtp: 'smtp://127.0.0.1:25', ...addresses, ...config }, { locale: 'en' });
    expect(build({ smtp: 'http://127.0.0.1:25' })).toThrow(new ConfigError('receiver "mail": email.smtp must be smtp or smtps, not http'));
    expect(build({ from: '' })).toThrow(new ConfigError('receiver "mail": email.from is required'));
    expect(build({ to: [] })).toThrow(new ConfigError('receiver "mail": email.to must be a non-empty list of addresses'));
  });
});
