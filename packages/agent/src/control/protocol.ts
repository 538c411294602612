import { reportDropParams } from '../devices/accelerometer/report-drop-params.js';
import { appHealthParams } from '../devices/payment-app/app-health.js';
import { localeSchema } from 'posdiag-protocol';
import { z } from 'zod';
import { printerStatusParams } from '../devices/printer/app-printer-status.js';

/**
 * The local control API (Unix socket, newline-delimited JSON): what the payment app's "self-test"
 * button, the keypad trigger and `posdiag self-test` / `posdiag status` use to reach the daemon.
 * Each request has an `id`; the daemon answers with zero or more `event` lines for that id, then
 * exactly one `result` or `error` line. An interactive self-test sends `prompt` events; the client
 * answers a `yes_no` prompt with an `answer` request on the same connection (prompts belong to the
 * connection that started the test). A prompt left unanswered fails its check with "no answer".
 * Besides answers, the daemon pushes to every open connection a `lock` event (id null) whenever the
 * hub locks or unlocks the terminal: the payment app stops or resumes taking payments on it.
 */
export const controlRequest = z.discriminatedUnion('method', [
  z.strictObject({
    id: z.number().int().nonnegative(),
    method: z.literal('self_test'),
    params: z
      .strictObject({
        level: z.enum(['quick', 'full', 'interactive']).default('quick'),
        locale: localeSchema.optional(),
        /** Print the verdict receipt too (the payment app's button, `posdiag self-test --print`). */
        print: z.boolean().default(false),
      })
      .prefault({}),
  }),
  z.strictObject({
    id: z.number().int().nonnegative(),
    method: z.literal('answer'),
    params: z.strictObject({ promptId: z.string().min(1).max(64), answer: z.boolean() }),
  }),
  z.strictObject({ id: z.number().int().nonnegative(), method: z.literal('status'), params: z.strictObject({}).prefault({}) }),
  z.strictObject({ id: z.number().int().nonnegative(), method: z.literal('last_self_test'), params: z.strictObject({}).prefault({}) }),
  /** The payment app's own health (devices/payment-app/README.md). */
  z.strictObject({ id: z.number().int().nonnegative(), method: z.literal('app_health'), params: appHealthParams }),
  /** A drop the payment app detected, where the agent reads no accelerometer (devices/accelerometer/README.md). */
  z.strictObject({ id: z.number().int().nonnegative(), method: z.literal('report_drop'), params: reportDropParams }),
  /** The latest log lines the daemon holds in memory (memory-tail.ts): what `posdiag log` adds when the file cannot be written. */
  z.strictObject({ id: z.number().int().nonnegative(), method: z.literal('log_tail'), params: z.strictObject({}).prefault({}) }),
  /** Whether the hub has locked the terminal (a lost or stolen one): `{locked, since, reason}`. */
  z.strictObject({ id: z.number().int().nonnegative(), method: z.literal('lock_state'), params: z.strictObject({}).prefault({}) }),
  /** The work order the hub last told of (`{ref, state, url?}`), or error `not_found`. */
  z.strictObject({ id: z.number().int().nonnegative(), method: z.literal('work_order'), params: z.strictObject({}).prefault({}) }),
  /** The payment app relays the status of a printer behind the vendor's service (devices/printer/app-relay.ts). */
  z.strictObject({ id: z.number().int().nonnegative(), method: z.literal('printer_status'), params: printerStatusParams }),
]);
export type ControlRequest = z.infer<typeof controlRequest>;

export type ControlErrorCode = 'bad_request' | 'busy' | 'failed' | 'not_found';

export type ControlLine =
  | { id: number; event: 'started'; testId: string }
  | { id: number; event: 'check'; check: { device: string; name: string; passed: boolean; detail: string } }
  | { id: number; event: 'prompt'; promptId: string; text: string; kind: 'swipe' | 'yes_no' | 'print' }
  | { id: null; event: 'lock'; locked: boolean; since: string | null; reason: string | null }
  | { id: number; result: unknown }
  | { id: number | null; error: { code: ControlErrorCode; message: string; runningTestId?: string } };

/** Longest request line the daemon reads; anything longer is refused and the connection closed. */
export const MAX_REQUEST_BYTES = 16 * 1024;
