import { z } from 'zod';
import { severitySchema } from 'posdiag-protocol';
import type { ReadingValue } from '../core/readings.js';
import { duration } from '../config/schema.js';

/**
 * The rule file format. A rule says which readings make a fault hold (`when`), how long it must hold
 * before it fires (`for`), what makes it clear when that is not simply `when` ceasing (`clearWhen`),
 * how long the clear condition must hold before it clears (`keepFiringFor`), which firing faults
 * explain it (`inhibitedBy`), and when its toggling counts as flapping (`flapping`, else the set's).
 * Thresholds are named so a config can move them.
 *
 * Conditions are `{all: [...]}`, `{any: [...]}`, `{not: …}` or a leaf `{reading, <op>: operand}` with
 * exactly one op. A reading name may hold one `*` segment: the rule then runs once per instance (the
 * text the `*` matched), and every `*` in the rule stands for the same instance.
 */

export interface ThresholdRef {
  threshold: string;
  /** Compare against minus the threshold, so one number bounds both sides (e.g. clock skew ±300 s). */
  negate?: boolean;
}
export type Operand = ReadingValue | ThresholdRef;
export type NumericOperand = number | ThresholdRef;

/** One condition node; validation guarantees exactly one of all/any/not/reading, and one op per leaf. */
export interface ConditionSpec {
  all?: ConditionSpec[];
  any?: ConditionSpec[];
  not?: ConditionSpec;
  reading?: string;
  eq?: Operand;
  ne?: Operand;
  lt?: NumericOperand;
  le?: NumericOperand;
  gt?: NumericOperand;
  ge?: NumericOperand;
  in?: ReadingValue[];
  present?: boolean;
}

export const LEAF_OPS = ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'in', 'present'] as const;
export type LeafOp = (typeof LEAF_OPS)[number];
const BRANCH_KEYS = ['all', 'any', 'not', 'reading'] as const;

const faultCode = z.string().regex(/^[a-z_]+\.[a-z_.]+$/, 'a fault code such as "printer.paper_end"');
const thresholdName = z.string().regex(/^[a-z0-9_]+(\.[a-z0-9_]+)*$/, 'a threshold name such as "battery.low_pct"');
/** Dotted segments; one segment may be `*`. */
const readingName = z
  .string()
  .regex(/^[A-Za-z0-9_-]+(\.([A-Za-z0-9_-]+|\*))+$/, 'a reading name such as "battery.level_pct" or "network.*.up"')
  .refine((name) => name.split('*').length <= 2, 'at most one "*" segment');

/**
 * How an inhibitor's instances must fire to explain a fault: `any` instance (the default), the
 * `same_instance` (wlan0's link explains wlan0's weak signal only), or `all_instances` present (a
 * target's route is not known, so only "no interface is up" explains it for sure).
 */
export const INHIBIT_SCOPES = ['any', 'same_instance', 'all_instances'] as const;
export type InhibitScope = (typeof INHIBIT_SCOPES)[number];
const inhibitor = z.union([faultCode, z.strictObject({ code: faultCode, scope: z.enum(INHIBIT_SCOPES) })], {
  error: 'a fault code, or {"code": code, "scope": "any" | "same_instance" | "all_instances"}',
});

/**
 * More than `changes` raise/clear transitions within `window`: held firing and reported once as
 * flapping, until it has not toggled for `settle` (default: the whole window).
 */
export const flappingSchema = z.strictObject({ changes: z.number().int().min(2), window: duration, settle: duration.optional() });
export type FlappingSpec = z.infer<typeof flappingSchema>;

const literal = z.union([z.boolean(), z.number(), z.string()], { error: 'a boolean, number or string' });
const thresholdRef = z.strictObject({ threshold: thresholdName, negate: z.boolean().optional() });
const operand = z.union([literal, thresholdRef], { error: 'a boolean, number, string or {"threshold": name}' });
const numericOperand = z.union([z.number(), thresholdRef], { error: 'a number or {"threshold": name}' });

export const conditionSchema: z.ZodType<ConditionSpec> = z.lazy(() =>
  z
    .strictObject({
      all: z.array(conditionSchema).min(1).optional(),
      any: z.array(conditionSchema).min(1).optional(),
      not: conditionSchema.optional(),
      reading: readingName.optional(),
      eq: operand.optional(),
      ne: operand.optional(),
      lt: numericOperand.optional(),
      le: numericOperand.optional(),
      gt: numericOperand.optional(),
      ge: numericOperand.optional(),
      in: z.array(literal).min(1).optional(),
      present: z.boolean().optional(),
    })
    .superRefine((node, ctx) => {
      const kinds = BRANCH_KEYS.filter((k) => node[k] !== undefined);
      const ops = LEAF_OPS.filter((k) => node[k] !== undefined);
      if (kinds.length !== 1) {
        ctx.addIssue({ code: 'custom', message: 'a condition needs exactly one of "all", "any", "not" or "reading"' });
      } else if (kinds[0] === 'reading' && ops.length !== 1) {
        ctx.addIssue({ code: 'custom', message: `a leaf needs exactly one operator of ${LEAF_OPS.join(', ')}` });
      } else if (kinds[0] !== 'reading' && ops.length > 0) {
        ctx.addIssue({ code: 'custom', path: [ops[0]!], message: `"${ops[0]}" belongs in a leaf with "reading"` });
      }
    }),
);

export const ruleSchema = z.strictObject({
  code: faultCode,
  description: z.string().optional(),
  when: conditionSchema,
  for: duration.default('0s'),
  clearWhen: conditionSchema.optional(),
  /** Prometheus keep_firing_for: the clear condition must hold this long before the fault clears. */
  keepFiringFor: duration.default('0s'),
  inhibitedBy: z.array(inhibitor).default([]),
  /** Overrides the set's flapping detection for this rule; `false` turns it off. */
  flapping: z.union([z.literal(false), flappingSchema]).optional(),
  /** Overrides the catalog severity. */
  severity: severitySchema.optional(),
  /** First entry whose condition holds sets the severity; a firing fault is re-raised when it worsens. */
  escalate: z.array(z.strictObject({ when: conditionSchema, severity: severitySchema })).default([]),
  /** Extra readings to carry as evidence, besides the ones the conditions name. */
  evidence: z.array(readingName).default([]),
});

export const ruleSetSchema = z
  .strictObject({
    $schema: z.string().optional(),
    description: z.string().optional(),
    thresholds: z.record(thresholdName, z.number()).default({}),
    /** Flapping detection for every rule that does not say otherwise; absent: off. */
    flapping: flappingSchema.optional(),
    rules: z.array(ruleSchema),
  })
  .superRefine((set, ctx) => {
    const seen = new Set<string>();
    set.rules.forEach((rule, i) => {
      if (seen.has(rule.code)) ctx.addIssue({ code: 'custom', path: ['rules', i, 'code'], message: `duplicate rule for "${rule.code}"` });
      seen.add(rule.code);
    });
  });

export type RuleSpec = z.infer<typeof ruleSchema>;
export type RuleSet = z.infer<typeof ruleSetSchema>;
export type RuleSetInput = z.input<typeof ruleSetSchema>;

/** A rule file (or rule set) that does not validate; `problems` holds one line per issue. */
export class RuleFileError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`${source}: ${problems.join('; ')}`);
    this.name = 'RuleFileError';
  }
}

/** Validates a parsed rule file; errors name the rule (index and code) and the key path inside it. */
export function parseRuleSet(input: unknown, source = 'rules'): RuleSet {
  const result = ruleSetSchema.safeParse(input);
  if (result.success) return result.data;
  throw new RuleFileError(
    source,
    result.error.issues.map((issue) => `${describePath(input, issue.path)}: ${issue.message}`),
  );
}

/** `['rules', 3, 'when', 'all', 1, 'lt']` → `rules[3] (battery.low) when.all[1].lt`. */
export function describePath(input: unknown, path: readonly PropertyKey[]): string {
  if (path[0] === 'rules' && typeof path[1] === 'number') {
    const code = ruleCodeAt(input, path[1]);
    const rest = formatKeys(path.slice(2));
    return `rules[${path[1]}]${code ? ` (${code})` : ''}${rest ? ` ${rest}` : ''}`;
  }
  return formatKeys(path) || '(file)';
}

export function formatKeys(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out ? `.${String(key)}` : String(key);
  return out;
}

function ruleCodeAt(input: unknown, index: number): string | null {
  const rules = (input as { rules?: unknown } | null)?.rules;
  const code = Array.isArray(rules) ? (rules[index] as { code?: unknown } | undefined)?.code : undefined;
  return typeof code === 'string' ? code : null;
}
