/**
 * The `--notify FILE` routing file: JSON in Alertmanager's configuration shape (the issue's Contract),
 * validated strictly so a typo is an error naming its key path, never a route that silently matches
 * nothing. What this file adds to Alertmanager's shape, all optional:
 * - a matcher value may be a list of allowed values: `"matchers": { "severity": ["critical", "major"] }`;
 * - `send_resolved` on a receiver (default true), where Alertmanager has it on each integration;
 * - `escalate` on a route: `[{ "after": "15m", "receiver": "lead" }, …]`, stages that notify their
 *   receiver when an alert the route has notified stays unacknowledged that long (see escalation.ts);
 * - top-level `correlate`, one rule or a list: `{ "labels": ["region"], "codes": ["terminal.silent"],
 *   "min": 5, "window": "2m" }` folds many terminals' alerts into one incident (see correlation.ts).
 * Durations are posdiag's one grammar (posdiag-protocol parseDuration). A bad file is a ConfigError:
 * the CLI prints it in one line (several problems listed) and exits 78.
 */
import { z } from 'zod';
import { parseConfigValue, parseDuration } from 'posdiag-protocol';
import { ConfigError, readTextFile } from 'posdiag-protocol/cli';
import type { Matchers } from './matchers.js';

export interface EscalationStageConfig {
  after: string;
  receiver: string;
}

export interface RouteConfig {
  receiver?: string;
  matchers?: Matchers;
  group_by?: string[];
  group_wait?: string;
  group_interval?: string;
  repeat_interval?: string;
  continue?: boolean;
  escalate?: EscalationStageConfig[];
  routes?: RouteConfig[];
}

export const duration = z.string().superRefine((text, ctx) => {
  try {
    parseDuration(text);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
  }
});

const labelName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_.]*$/, 'not a label name (letters, digits, "_" and ".")');

export const matchersSchema = z.record(labelName, z.union([z.string(), z.array(z.string()).min(1)]));

const escalationStageSchema = z.strictObject({ after: duration, receiver: z.string().min(1) });

const routeSchema: z.ZodType<RouteConfig> = z.lazy(() =>
  z.strictObject({
    receiver: z.string().min(1).optional(),
    matchers: matchersSchema.optional(),
    // ["..."] is Alertmanager's "group by every label".
    group_by: z.array(z.union([labelName, z.literal('...')])).optional(),
    group_wait: duration.optional(),
    group_interval: duration.optional(),
    repeat_interval: duration.optional(),
    continue: z.boolean().optional(),
    escalate: z.array(escalationStageSchema).min(1).optional(),
    routes: z.array(routeSchema).optional(),
  }),
);

const httpUrl = z.url({ protocol: /^https?$/, error: 'not an http:// or https:// URL' });
const smtpUrl = z.url({ protocol: /^smtps?$/, error: 'not an smtp://host:port or smtps://host:port URL' });
const secret = z.string().min(1);

const RECEIVER_KINDS = ['webhook', 'wecom', 'dingtalk', 'feishu', 'email'] as const;

const receiverSchema = z
  .strictObject({
    name: z.string().min(1),
    send_resolved: z.boolean().optional(),
    webhook: z.strictObject({ url: httpUrl, secret }).optional(),
    wecom: z.strictObject({ url: httpUrl }).optional(),
    dingtalk: z.strictObject({ url: httpUrl, secret: secret.optional() }).optional(),
    feishu: z.strictObject({ url: httpUrl, secret: secret.optional() }).optional(),
    email: z.strictObject({ smtp: smtpUrl, from: z.string().min(1), to: z.array(z.string().min(1)).min(1) }).optional(),
  })
  .superRefine((r, ctx) => {
    const given = RECEIVER_KINDS.filter((k) => r[k] !== undefined);
    if (given.length !== 1) {
      ctx.addIssue({ code: 'custom', message: `give exactly one of ${RECEIVER_KINDS.join(', ')} (found ${given.length ? given.join(', ') : 'none'})` });
    }
  });

const correlationSchema = z.strictObject({
  labels: z.array(labelName).min(1),
  codes: z.array(z.string().min(1)).min(1),
  min: z.number().int().min(2).default(5),
  window: duration.default('2m'),
});

const configSchema = z
  .strictObject({
    route: routeSchema,
    receivers: z.array(receiverSchema).min(1),
    correlate: z
      .union([correlationSchema, z.array(correlationSchema)])
      .optional()
      .transform((c) => (c === undefined ? [] : Array.isArray(c) ? c : [c])),
  })
  .superRefine((config, ctx) => checkReferences(config, ctx));

export type NotifyConfig = z.infer<typeof configSchema>;
export type ReceiverConfig = NotifyConfig['receivers'][number];
export type CorrelationConfig = NotifyConfig['correlate'][number];

/** What zod cannot see field by field: the root route's rules, and every receiver a route names exists. */
function checkReferences(config: { route: RouteConfig; receivers: { name: string }[] }, ctx: z.RefinementCtx): void {
  const names = new Set<string>();
  config.receivers.forEach((r, i) => {
    if (names.has(r.name)) ctx.addIssue({ code: 'custom', path: ['receivers', i, 'name'], message: `a second receiver named "${r.name}"` });
    names.add(r.name);
  });
  const root = config.route;
  // Alertmanager: the root route is the fallback every alert reaches, so it names a receiver and matches everything.
  if (root.receiver === undefined) ctx.addIssue({ code: 'custom', path: ['route', 'receiver'], message: 'the root route needs a receiver' });
  if (root.matchers !== undefined) ctx.addIssue({ code: 'custom', path: ['route', 'matchers'], message: 'the root route matches every alert; it takes no matchers' });
  if (root.continue !== undefined) ctx.addIssue({ code: 'custom', path: ['route', 'continue'], message: 'the root route has no siblings to continue to' });
  const walk = (route: RouteConfig, path: (string | number)[]): void => {
    const check = (name: string | undefined, at: (string | number)[]) => {
      if (name !== undefined && !names.has(name)) ctx.addIssue({ code: 'custom', path: at, message: `no receiver named "${name}"` });
    };
    check(route.receiver, [...path, 'receiver']);
    route.escalate?.forEach((stage, i) => check(stage.receiver, [...path, 'escalate', i, 'receiver']));
    route.routes?.forEach((child, i) => walk(child, [...path, 'routes', i]));
  };
  walk(root, ['route']);
}

/** Validates a parsed JSON value; the error names every bad key path and what was expected. */
export function parseNotifyConfig(value: unknown, source = '--notify'): NotifyConfig {
  return parseConfigValue(configSchema, value, source);
}

/** Reads and validates the file `--notify` names (an unreadable file is a NamedFileError: exit 66 or 77). */
export function loadNotifyConfig(file: string): NotifyConfig {
  const text = readTextFile(file, `--notify: cannot read ${file}`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`--notify ${file} is not valid JSON: ${(err as Error).message}`);
  }
  return parseNotifyConfig(value, `--notify ${file}`);
}
