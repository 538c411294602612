import type { ReadingValue, Readings } from '../core/readings.js';
import type { ConditionSpec, Operand, ThresholdRef } from './rule-schema.js';

/**
 * Conditions compiled once into closures, so an evaluation is plain function calls and property reads.
 *
 * Invariant: a leaf on an absent reading is false (only `present: false` holds), and a numeric op on a
 * non-number is false: an unknown value never satisfies a comparison. "Nothing known to be wrong" is
 * written `not {…}`, which does hold when the reading is absent.
 */
export type Predicate = (readings: Readings, instance: string | null) => boolean;

/** A reading name as a rule writes it: fixed, or with one `*` segment standing for the instance. */
export class ReadingRef {
  readonly isPattern: boolean;
  private readonly prefix: string;
  private readonly suffix: string;
  // Resolved names per instance: instance names are few (interfaces, targets) and repeat every evaluation.
  private readonly resolved = new Map<string, string>();

  constructor(readonly name: string) {
    const star = name.indexOf('*');
    this.isPattern = star >= 0;
    this.prefix = this.isPattern ? name.slice(0, star) : name;
    this.suffix = this.isPattern ? name.slice(star + 1) : '';
  }

  /** The concrete reading name for `instance` (a pattern without an instance resolves to itself). */
  resolve(instance: string | null): string {
    if (!this.isPattern || instance === null) return this.name;
    let name = this.resolved.get(instance);
    if (name === undefined) {
      name = this.prefix + instance + this.suffix;
      this.resolved.set(instance, name);
    }
    return name;
  }

  /** The instance `key` is a reading of, or null. The `*` matches one whole segment: no dots. */
  instanceOf(key: string): string | null {
    if (key.length <= this.prefix.length + this.suffix.length) return null;
    if (!key.startsWith(this.prefix) || !key.endsWith(this.suffix)) return null;
    const instance = key.slice(this.prefix.length, key.length - this.suffix.length);
    return instance.includes('.') ? null : instance;
  }
}

export interface CompileContext {
  /** The number a threshold reference stands for; throws when the name is unknown. */
  threshold(ref: ThresholdRef, path: string): number;
  /** Every reading the condition names is added here (for evidence and instance discovery). */
  refs: ReadingRef[];
}

export function compileCondition(spec: ConditionSpec, ctx: CompileContext, path: string): Predicate {
  if (spec.all) {
    const parts = spec.all.map((c, i) => compileCondition(c, ctx, `${path}.all[${i}]`));
    return (r, inst) => {
      for (const p of parts) if (!p(r, inst)) return false;
      return true;
    };
  }
  if (spec.any) {
    const parts = spec.any.map((c, i) => compileCondition(c, ctx, `${path}.any[${i}]`));
    return (r, inst) => {
      for (const p of parts) if (p(r, inst)) return true;
      return false;
    };
  }
  if (spec.not) {
    const inner = compileCondition(spec.not, ctx, `${path}.not`);
    return (r, inst) => !inner(r, inst);
  }
  return compileLeaf(spec, ctx, path);
}

function compileLeaf(spec: ConditionSpec, ctx: CompileContext, path: string): Predicate {
  const ref = new ReadingRef(spec.reading!);
  ctx.refs.push(ref);
  const test = compileTest(spec, ctx, path);
  if (!ref.isPattern) {
    const name = ref.name;
    return (r) => test(r[name]);
  }
  return (r, inst) => test(r[ref.resolve(inst)]);
}

type Test = (value: ReadingValue | undefined) => boolean;

function compileTest(spec: ConditionSpec, ctx: CompileContext, path: string): Test {
  const value = (operand: Operand, op: string): ReadingValue =>
    typeof operand === 'object' ? ctx.threshold(operand, `${path}.${op}`) : operand;
  const num = (operand: Operand, op: string): number => value(operand, op) as number;

  if (spec.eq !== undefined) {
    const x = value(spec.eq, 'eq');
    return (v) => v === x;
  }
  if (spec.ne !== undefined) {
    const x = value(spec.ne, 'ne');
    return (v) => v !== undefined && v !== x;
  }
  if (spec.lt !== undefined) {
    const x = num(spec.lt, 'lt');
    return (v) => typeof v === 'number' && v < x;
  }
  if (spec.le !== undefined) {
    const x = num(spec.le, 'le');
    return (v) => typeof v === 'number' && v <= x;
  }
  if (spec.gt !== undefined) {
    const x = num(spec.gt, 'gt');
    return (v) => typeof v === 'number' && v > x;
  }
  if (spec.ge !== undefined) {
    const x = num(spec.ge, 'ge');
    return (v) => typeof v === 'number' && v >= x;
  }
  if (spec.in !== undefined) {
    const set = new Set<ReadingValue>(spec.in);
    return (v) => v !== undefined && set.has(v);
  }
  return spec.present ? (v) => v !== undefined : (v) => v === undefined;
}
