import { parseDuration } from '../config/schema.js';
import type { Category, Severity } from 'posdiag-protocol';
import { compileCondition, readingRef } from './conditions.js';
import type { CompileContext, Predicate, ReadingRef } from './conditions.js';
import type { PatternRef, ReadingTable } from './reading-table.js';
import { RuleFileError } from './rule-schema.js';
import type { InhibitScope, RuleSet, ThresholdRef } from './rule-schema.js';
import type { Catalog } from '../faults/catalog.js';

/** A validated rule turned into closures, with everything the engine needs resolved up front. */
export interface CompiledRule {
  readonly code: string;
  readonly category: Category;
  /** Rule override, else the catalog's. */
  readonly severity: Severity;
  readonly forMs: number;
  readonly keepFiringForMs: number;
  /** `when` surely holds (whatever the UNKNOWN readings are): what raises the fault. */
  readonly when: Predicate;
  /** `when` possibly holds: while it does, a fault without `clearWhen` is not known to have cleared. */
  readonly whenPossible: Predicate;
  /** `clearWhen` surely holds: what clears the fault. */
  readonly clearWhen: Predicate | null;
  readonly escalate: readonly { when: Predicate; severity: Severity }[];
  /** In order of preference: the first firing one names the inhibitor. */
  readonly inhibitedBy: readonly { code: string; scope: InhibitScope }[];
  /** null: flapping detection off for this rule. */
  readonly flapping: { changes: number; windowMs: number; settleMs: number } | null;
  /** The `*` readings of `when`: the instances of a per-instance rule are found through them. Empty: one instance. */
  readonly instancePatterns: readonly PatternRef[];
  /** Every reading the rule names (conditions and `evidence`), each name once. */
  readonly evidence: readonly ReadingRef[];
  /** Raw protocol evidence of the same device (`printer.status_hex`) starts with this. */
  readonly devicePrefix: string;
}

/**
 * Resolves thresholds (file defaults, then `overrides`) and compiles every rule over `table`. All
 * problems are collected and thrown together as one RuleFileError naming rule and key path.
 */
export function compileRuleSet(
  set: RuleSet,
  catalog: Catalog,
  table: ReadingTable,
  overrides: Record<string, number> = {},
  source = 'rules',
): CompiledRule[] {
  const problems: string[] = [];
  for (const name of Object.keys(overrides)) {
    if (!Object.hasOwn(set.thresholds, name)) {
      problems.push(`thresholds.${name}: unknown threshold (known: ${Object.keys(set.thresholds).join(', ') || 'none'})`);
    }
  }
  const thresholds: Record<string, number> = { ...set.thresholds, ...overrides };

  const compiled = set.rules.map((rule, index) => {
    const where = `rules[${index}] (${rule.code})`;
    const ctx: CompileContext = {
      table,
      names: [],
      patterns: [],
      threshold(ref: ThresholdRef, path: string): number {
        if (!Object.hasOwn(thresholds, ref.threshold)) {
          problems.push(`${where} ${path}: unknown threshold "${ref.threshold}"`);
          return Number.NaN;
        }
        const value = thresholds[ref.threshold]!;
        return ref.negate ? -value : value;
      },
    };
    const when = compileCondition(rule.when, ctx, 'when');
    const instancePatterns = [...new Set(ctx.patterns)];
    const clearWhen = rule.clearWhen ? compileCondition(rule.clearWhen, ctx, 'clearWhen').sure : null;
    const escalate = rule.escalate.map((e, i) => ({ when: compileCondition(e.when, ctx, `escalate[${i}].when`).sure, severity: e.severity }));
    const names = [...new Set([...ctx.names, ...rule.evidence])];

    if (instancePatterns.length === 0 && names.some((n) => n.includes('*'))) {
      problems.push(`${where}: a "*" reading outside "when" needs one inside "when" to find its instances`);
    }
    const entry = catalog.get(rule.code);
    if (!entry) problems.push(`${where} code: no catalog entry for "${rule.code}"`);
    const inhibitedBy = rule.inhibitedBy.map((inh, i) => {
      const { code, scope } = typeof inh === 'string' ? { code: inh, scope: 'any' as const } : inh;
      if (code === rule.code) problems.push(`${where} inhibitedBy[${i}]: a rule cannot inhibit itself`);
      else if (!catalog.has(code)) problems.push(`${where} inhibitedBy[${i}]: unknown fault code "${code}"`);
      return { code, scope };
    });
    const flap = rule.flapping ?? set.flapping;

    return {
      code: rule.code,
      category: entry?.category ?? 'software',
      severity: rule.severity ?? entry?.severity ?? 'info',
      forMs: parseDuration(rule.for),
      keepFiringForMs: parseDuration(rule.keepFiringFor),
      when: when.sure,
      whenPossible: when.possible,
      clearWhen,
      escalate,
      inhibitedBy,
      flapping: flap ? { changes: flap.changes, windowMs: parseDuration(flap.window), settleMs: parseDuration(flap.settle ?? flap.window) } : null,
      instancePatterns,
      evidence: names.map(readingRef),
      devicePrefix: `${rule.code.slice(0, rule.code.indexOf('.'))}.`,
    } satisfies CompiledRule;
  });

  if (problems.length) throw new RuleFileError(source, problems);
  return compiled;
}
