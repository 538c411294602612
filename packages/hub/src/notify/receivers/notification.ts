import type { Category, Locale, LocalizedText, Severity } from 'posdiag-protocol';

/**
 * What one grouped notification carries to a receiver, and what a receiver answers. Pure data: the
 * dispatcher builds a Notification from the store's alarms, a receiver turns it into one request,
 * and the delivery queue keeps the DeliveryResult and retries the retryable ones. Nothing here ever
 * holds card data: the hub has none.
 */

export type AlertStatus = 'firing' | 'resolved';

/** An alert's labels: the alarm's identity and class, plus the terminal's own labels (region, merchant, …). */
export type AlertLabels = Readonly<
  Record<string, string> & { terminal: string; code: string; instance?: string; severity: Severity; category: Category }
>;

export interface AlertAnnotations {
  /** The catalog's summary of the code, in every locale; a receiver shows its own. */
  readonly summary: LocalizedText;
  readonly needsTechnician?: boolean;
}

export interface NotificationAlert {
  readonly status: AlertStatus;
  readonly labels: AlertLabels;
  readonly annotations: AlertAnnotations;
  /** Epoch milliseconds. */
  readonly startsAt: number;
  /** Epoch milliseconds; null while the alert fires. */
  readonly endsAt: number | null;
  /** The console's page of this alarm; '' until the console exists. */
  readonly generatorURL: string;
  readonly fingerprint: string;
}

export interface Notification {
  /** The receiver it is meant for (Alertmanager's `receiver`). */
  readonly receiver: string;
  /** Firing while any alert of the group fires. */
  readonly status: AlertStatus;
  /** Identifies the group across notifications (route and group labels). */
  readonly groupKey: string;
  readonly groupLabels: Readonly<Record<string, string>>;
  readonly commonLabels: Readonly<Record<string, string>>;
  /** The console's base address; '' until the console exists. */
  readonly externalURL: string;
  readonly alerts: readonly NotificationAlert[];
}

export type ReceiverKind = 'webhook' | 'wecom' | 'dingtalk' | 'feishu' | 'email';

/**
 * A delivery's outcome. `reason` and `detail` are one line (an HTTP status, a robot's errcode and
 * errmsg, an SMTP reply). A failure is retryable when sending the same notification again later can
 * succeed (a timeout, a 5xx, a robot's rate limit), not when the request itself is wrong (a bad sign).
 */
export type DeliveryResult =
  | { readonly ok: true; readonly detail: string }
  | { readonly ok: false; readonly retryable: boolean; readonly reason: string };

/** `send` never rejects and never outlives its timeout; `now` (epoch ms) dates the signatures. */
export interface Receiver {
  readonly name: string;
  readonly kind: ReceiverKind;
  send(n: Notification, now: number): Promise<DeliveryResult>;
}

export interface ReceiverOptions {
  /** The language of the messages a person reads (the webhook's summary annotation too). */
  readonly locale: Locale;
  /** Per send, connection to reply; default DEFAULT_SEND_TIMEOUT_MS. */
  readonly timeoutMs?: number;
}

export const DEFAULT_SEND_TIMEOUT_MS = 10_000;

export function delivered(detail: string): DeliveryResult {
  return { ok: true, detail: oneLine(detail) };
}

export function failed(retryable: boolean, reason: string): DeliveryResult {
  return { ok: false, retryable, reason: oneLine(reason) };
}

/** A reply body or error message as one short line for the alarm's delivery log. */
export function oneLine(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/**
 * A Receiver whose send cannot reject: what its own code did not foresee (a bug, a malformed
 * notification) becomes a failure that retrying would not fix.
 */
export function receiver(name: string, kind: ReceiverKind, send: (n: Notification, now: number) => Promise<DeliveryResult>): Receiver {
  return {
    name,
    kind,
    send: async (n, now) => {
      try {
        return await send(n, now);
      } catch (error) {
        return failed(false, `${kind} receiver failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    },
  };
}
