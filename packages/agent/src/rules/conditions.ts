import type { ReadingValue } from '../core/readings.js';
import type { ConditionSpec, Operand, ThresholdRef } from './rule-schema.js';
import { NO_INSTANCE, UNKNOWN } from './reading-table.js';
import type { PatternRef, ReadingTable, Values } from './reading-table.js';

/**
 * Conditions compiled once into closures over reading slots (see ReadingTable), so an evaluation is
 * plain function calls and array reads: no name lookups, no allocation.
 *
 * Invariants: a leaf on an absent reading is false (only `present: false` holds), and a numeric op on a
 * non-number is false: an absent value never satisfies a comparison. "Nothing known to be wrong" is
 * written `not {…}`, which does hold when the reading is absent. A reading whose value is UNKNOWN (its
 * driver reported a problem reading it) could be anything: each condition is compiled into the two
 * bounds of three-valued logic, `sure` (holds whatever the unknown values are) and `possible` (holds
 * for some of them); without UNKNOWN readings the two agree.
 */
export type Predicate = (values: Values, instance: number) => boolean;

export interface Bounds {
  sure: Predicate;
  possible: Predicate;
}

/** A reading name as a rule writes it, for evidence: fixed, or with one `*` standing for the instance. */
export interface ReadingRef {
  readonly name: string;
  resolve(instance: string | null): string;
}

export function readingRef(name: string): ReadingRef {
  const star = name.indexOf('*');
  if (star < 0) return { name, resolve: () => name };
  const prefix = name.slice(0, star);
  const suffix = name.slice(star + 1);
  return { name, resolve: (instance) => (instance === null ? name : prefix + instance + suffix) };
}

export interface CompileContext {
  table: ReadingTable;
  /** The number a threshold reference stands for; throws when the name is unknown. */
  threshold(ref: ThresholdRef, path: string): number;
  /** Every reading name the condition uses is added here (for evidence). */
  names: string[];
  /** Every `*` reading the condition uses is added here (for instance discovery). */
  patterns: PatternRef[];
}

export function compileCondition(spec: ConditionSpec, ctx: CompileContext, path: string): Bounds {
  if (spec.all) {
    const parts = spec.all.map((c, i) => compileCondition(c, ctx, `${path}.all[${i}]`));
    return { sure: every(parts.map((p) => p.sure)), possible: every(parts.map((p) => p.possible)) };
  }
  if (spec.any) {
    const parts = spec.any.map((c, i) => compileCondition(c, ctx, `${path}.any[${i}]`));
    return { sure: some(parts.map((p) => p.sure)), possible: some(parts.map((p) => p.possible)) };
  }
  if (spec.not) {
    // Surely not when the inner condition cannot hold; possibly not unless it surely holds.
    const { sure, possible } = compileCondition(spec.not, ctx, `${path}.not`);
    return { sure: (v, inst) => !possible(v, inst), possible: (v, inst) => !sure(v, inst) };
  }
  return compileLeaf(spec, ctx, path);
}

function every(parts: Predicate[]): Predicate {
  if (parts.length === 1) return parts[0]!;
  if (parts.length === 2) {
    const [a, b] = parts as [Predicate, Predicate];
    return (v, inst) => a(v, inst) && b(v, inst);
  }
  return (v, inst) => {
    for (let i = 0; i < parts.length; i++) if (!parts[i]!(v, inst)) return false;
    return true;
  };
}

function some(parts: Predicate[]): Predicate {
  if (parts.length === 1) return parts[0]!;
  if (parts.length === 2) {
    const [a, b] = parts as [Predicate, Predicate];
    return (v, inst) => a(v, inst) || b(v, inst);
  }
  return (v, inst) => {
    for (let i = 0; i < parts.length; i++) if (parts[i]!(v, inst)) return true;
    return false;
  };
}

type Test = (value: ReadingValue | undefined) => boolean;

function compileLeaf(spec: ConditionSpec, ctx: CompileContext, path: string): Bounds {
  const name = spec.reading!;
  ctx.names.push(name);
  const test = compileTest(spec, ctx, path);
  let read: (v: Values, inst: number) => Values[number];
  if (!name.includes('*')) {
    const slot = ctx.table.slot(name);
    read = (v) => v[slot];
  } else {
    const ref = ctx.table.pattern(name);
    ctx.patterns.push(ref);
    const slots = ref.slots;
    // A pattern has no value without an instance; NO_INSTANCE indexes nothing, so the reading is absent.
    read = (v, inst) => (inst === NO_INSTANCE ? undefined : v[slots[inst]!]);
  }
  return {
    sure: (v, inst) => {
      const x = read(v, inst);
      return x !== UNKNOWN && test(x);
    },
    possible: (v, inst) => {
      const x = read(v, inst);
      return x === UNKNOWN || test(x);
    },
  };
}

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
    const list = spec.in;
    // The lists are a handful of words: a scan beats hashing.
    return (v) => v !== undefined && list.includes(v);
  }
  return spec.present ? (v) => v !== undefined : (v) => v === undefined;
}
