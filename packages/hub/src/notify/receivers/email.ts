import nodemailer from 'nodemailer';
import { ConfigError } from 'posdiag-protocol/cli';
import { requireText, requireTimeout, requireUrl } from './config-checks.js';
import { DEFAULT_SEND_TIMEOUT_MS, delivered, failed, type DeliveryResult, receiver, type Receiver, type ReceiverOptions } from './notification.js';
import { composeBody, renderNotification } from './templates.js';

/**
 * E-mail over SMTP with nodemailer (nodemailer.com/smtp): `smtp://host:port` (STARTTLS when the
 * server offers it) or `smtps://host:port` (TLS from the start), user and password in the URL when
 * the server wants them. The subject is the notification's title, the body plain text. One
 * connection per message; its connect, greeting and socket waits all end at the send timeout, and
 * so does the send as a whole.
 */

export interface EmailConfig {
  readonly smtp: string;
  readonly from: string;
  readonly to: readonly string[];
}

export function emailReceiver(name: string, config: EmailConfig, options: ReceiverOptions): Receiver {
  const smtp = requireUrl(name, 'email.smtp', config.smtp, ['smtp:', 'smtps:']);
  const from = requireText(name, 'email.from', config.from);
  const to = requireRecipients(name, config.to);
  const timeoutMs = requireTimeout(name, options.timeoutMs, DEFAULT_SEND_TIMEOUT_MS);
  const secure = smtp.protocol === 'smtps:';
  const transport = nodemailer.createTransport({
    host: smtp.hostname,
    port: smtp.port === '' ? (secure ? 465 : 25) : Number(smtp.port),
    secure,
    ...(smtp.username === '' ? {} : { auth: { user: decodeURIComponent(smtp.username), pass: decodeURIComponent(smtp.password) } }),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  return receiver(name, 'email', async (n) => {
    const r = renderNotification(n, options.locale, 'plain');
    const mail = transport.sendMail({ from, to: [...to], subject: r.title, text: composeBody(r, null) }).then(
      (info): DeliveryResult => {
        const refused = info.rejected.map(String);
        return delivered(`SMTP ${info.response}${refused.length > 0 ? `; refused: ${refused.join(', ')}` : ''}`);
      },
      smtpFailure,
    );
    return withDeadline(mail, timeoutMs);
  });
}

function requireRecipients(name: string, raw: unknown): readonly string[] {
  if (!Array.isArray(raw) || raw.length === 0 || !raw.every((a) => typeof a === 'string' && a !== '')) {
    throw new ConfigError(`receiver "${name}": email.to must be a non-empty list of addresses`);
  }
  return raw as string[];
}

/** A 4xx reply is the server's "try again later"; a 5xx (or an address or login refused) is final. */
function smtpFailure(error: unknown): DeliveryResult {
  const e = (error ?? {}) as { code?: unknown; responseCode?: unknown; response?: unknown; message?: unknown };
  const message = typeof e.response === 'string' ? e.response : String(e.message ?? error);
  if (typeof e.responseCode === 'number') return failed(e.responseCode < 500, `SMTP ${message}`);
  if (e.code === 'EAUTH' || e.code === 'EENVELOPE' || e.code === 'EMESSAGE') return failed(false, `SMTP ${e.code}: ${message}`);
  return failed(true, `SMTP ${typeof e.code === 'string' ? e.code : 'error'}: ${message}`);
}

function withDeadline(send: Promise<DeliveryResult>, timeoutMs: number): Promise<DeliveryResult> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<DeliveryResult>((resolve) => {
    timer = setTimeout(() => resolve(failed(true, `timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([send, deadline]).finally(() => clearTimeout(timer));
}
