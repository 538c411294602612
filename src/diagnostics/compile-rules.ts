import { parseDuration } from '../config/schema.js';
import type { Category, Severity } from '../report/schema.js';
import { compileCondition, ReadingRef } from './conditions.js';
import type { CompileContext, Predicate } from './conditions.js';
import { RuleFileError } from './rule-schema.js';
import type { RuleSet, ThresholdRef } from './rule-schema.js';
import type { CatalogEntry } from './types.js';

/** A validated rule turned into closures, with everything the engine needs resolved up front. */
export interface CompiledRule {
  readonly code: string;
  readonly category: Category;
  /** Rule override, else the catalog's. */
  readonly severity: Severity;
  readonly forMs: number;
  readonly when: Predicate;
  readonly clearWhen: Predicate | null;
  readonly escalate: readonly { when: Predicate; severity: Severity }[];
  readonly inhibitedBy: readonly string[];
  /** The `*` readings of `when`: the instances of a per-instance rule are found through them. Empty: one instance. */
  readonly instancePatterns: readonly ReadingRef[];
  /** Every reading the rule names (conditions and `evidence`), each name once. */
  readonly evidence: readonly ReadingRef[];
  /** Raw protocol evidence of the same device (`printer.status_hex`) starts with this. */
  readonly devicePrefix: string;
}

/**
 * Resolves thresholds (file defaults, then `overrides`) and compiles every rule. All problems are
 * collected and thrown together as one RuleFileError naming rule and key path.
 */
export function compileRuleSet(
  set: RuleSet,
  catalog: ReadonlyMap<string, CatalogEntry>,
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
    const refs: ReadingRef[] = [];
    const ctx: CompileContext = {
      refs,
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
    const instancePatterns = dedupe(refs.filter((r) => r.isPattern));
    const clearWhen = rule.clearWhen ? compileCondition(rule.clearWhen, ctx, 'clearWhen') : null;
    const escalate = rule.escalate.map((e, i) => ({ when: compileCondition(e.when, ctx, `escalate[${i}].when`), severity: e.severity }));
    refs.push(...rule.evidence.map((name) => new ReadingRef(name)));
    const evidence = dedupe(refs);

    if (instancePatterns.length === 0 && evidence.some((r) => r.isPattern)) {
      problems.push(`${where}: a "*" reading outside "when" needs one inside "when" to find its instances`);
    }
    const entry = catalog.get(rule.code);
    if (!entry) problems.push(`${where} code: no catalog entry for "${rule.code}"`);
    rule.inhibitedBy.forEach((code, i) => {
      if (code === rule.code) problems.push(`${where} inhibitedBy[${i}]: a rule cannot inhibit itself`);
      else if (!catalog.has(code)) problems.push(`${where} inhibitedBy[${i}]: unknown fault code "${code}"`);
    });

    return {
      code: rule.code,
      category: entry?.category ?? 'software',
      severity: rule.severity ?? entry?.severity ?? 'info',
      forMs: parseDuration(rule.for),
      when,
      clearWhen,
      escalate,
      inhibitedBy: rule.inhibitedBy,
      instancePatterns,
      evidence,
      devicePrefix: `${rule.code.slice(0, rule.code.indexOf('.'))}.`,
    } satisfies CompiledRule;
  });

  if (problems.length) throw new RuleFileError(source, problems);
  return compiled;
}

function dedupe(refs: ReadingRef[]): ReadingRef[] {
  const byName = new Map<string, ReadingRef>();
  for (const ref of refs) if (!byName.has(ref.name)) byName.set(ref.name, ref);
  return [...byName.values()];
}
