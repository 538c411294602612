import type { Readings } from '../core/readings.js';
import type { Severity } from 'posdiag-protocol';
import { compileRuleSet } from './compile-rules.js';
import type { CompiledRule } from './compile-rules.js';
import { NO_INSTANCE, ReadingTable } from './reading-table.js';
import type { Values } from './reading-table.js';
import type { RuleSet } from './rule-schema.js';
import type { Catalog } from '../faults/catalog.js';
import type { ActiveFault, FaultEvent, FiringFault } from '../faults/types.js';

export interface RuleEngineOptions {
  /** What each code's category and severity are, and which codes exist (inhibitedBy). */
  catalog: Catalog;
  /** Overrides of the rule set's thresholds by name (config `rules.thresholds`); an unknown name is an error. */
  thresholds?: Record<string, number>;
  /** Names the rule set in error messages. */
  source?: string;
}

/** One (rule, instance) that is pending or firing; inactive ones have no state. */
interface AlertState {
  readonly instance: number;
  firing: boolean;
  /** When the condition began to hold. */
  activeSince: number;
  /** Became firing in the current evaluation; its `raised` event is still to be emitted. */
  justFired: boolean;
  /** When the clear condition began to hold while firing (keepFiringFor); -1 when it does not hold. */
  clearingSince: number;
  /** Held firing because it toggled too often; it ends only once it has settled (see stepFlapping). */
  flapping: boolean;
  /** While flapping: whether the fault's condition held at the last evaluation. */
  holds: boolean;
  /** The evaluation that last stepped it, so instances whose readings vanished are still stepped. */
  stamp: number;
  /** What receivers were last told, so a change they must hear about is re-raised. */
  reportedInhibitedBy: string | null;
  reportedSeverity: Severity;
  reportedFlapping: boolean;
}

/** A compiled rule with its alert states and what the engine caches about it between evaluations. */
interface RuleRuntime {
  readonly rule: CompiledRule;
  /** Alert states by instance id + 1 (index 0: the rule without instances). */
  readonly states: (AlertState | undefined)[];
  /** The same states as a list, for iteration. */
  readonly live: AlertState[];
  firingCount: number;
  /** Inhibitors resolved to the runtimes of rules in this set; a code without a rule never fires. */
  inhibitors: { code: string; scope: 'any' | 'same_instance' | 'all_instances'; runtime: RuleRuntime }[];
  /** Instance ids present in the loaded readings, valid while `generation` equals the table's. */
  present: number[];
  generation: number;
  /** Raise/clear times within the flapping window, by instance id (at most changes + 1 kept). */
  readonly flips: Map<number, number[]>;
}

const SEVERITY_RANK: Record<Severity, number> = { info: 0, minor: 1, major: 2, critical: 3 };
const ONE_INSTANCE = [NO_INSTANCE];

/** `printer.paper_end` or `network.link_down:wlan0`: how one fault instance is named in lists. */
export function faultKey(code: string, instance: string | null): string {
  return instance === null ? code : `${code}:${instance}`;
}

/**
 * Prometheus alerting semantics over readings. Time is only ever the `now` argument; evaluation is
 * synchronous and allocates nothing unless a fault changes state.
 *
 * - inactive → pending when `when` holds; pending → firing once it has held for `for` (`for: 0` fires on
 *   the first evaluation), emitting `raised` with `since` = when it began to hold; pending → inactive,
 *   silently, when it stops holding.
 * - firing → inactive once the clear condition (`clearWhen`, else `when` not holding) has held for
 *   `keepFiringFor` (0: at once); emits `cleared` with `since` = when the clear condition began to hold.
 * - A reading passed as unknown (its driver could not read it) is neither value: `when` must hold
 *   whatever it is to raise, and the clear condition likewise to clear (conditions.ts), so a glitching
 *   sensor neither raises a fault nor flaps a real one; it stays as it was until a value is read.
 * - Flapping: a raise or clear that makes more than `changes` of them within `window` holds the fault
 *   firing and re-raises it once with `flapping: true` instead of sending raise/clear pairs. Once it has
 *   not toggled for `settle` (default: the whole window) it ends: cleared (with `flapping: true`) when
 *   its clear condition holds, so a device that reads healthy again is not held open for the rest of
 *   the window; an ordinary firing fault again when the fault holds. The toggles of a cleared one stay
 *   on record for the window, so a relapse is flapping again at once, not a new raise/clear series.
 * - Inhibition is decided after every rule has stepped, so rule order never matters: a firing fault
 *   whose `inhibitedBy` names a code firing (on any instance, the same instance, or all instances
 *   present, as the entry's scope says) carries that code. A `cleared` carries the inhibitor its
 *   `raised` carried, so a fault never alerted is never "un-alerted". A firing fault is re-raised when
 *   it loses its inhibitor (the root cause went away, this one did not) or when its severity escalates;
 *   severity never drops while firing.
 */
export class RuleEngine {
  private readonly table = new ReadingTable();
  private readonly runtimes: RuleRuntime[];
  private lastReadings: Readings = {};
  private epoch = 0;

  constructor(ruleSet: RuleSet, options: RuleEngineOptions) {
    const rules = compileRuleSet(ruleSet, options.catalog, this.table, options.thresholds, options.source);
    this.runtimes = rules.map((rule) => ({
      rule,
      states: [],
      live: [],
      firingCount: 0,
      inhibitors: [],
      present: ONE_INSTANCE,
      generation: -1,
      flips: new Map(),
    }));
    const byCode = new Map(this.runtimes.map((rt) => [rt.rule.code, rt]));
    for (const rt of this.runtimes) {
      for (const { code, scope } of rt.rule.inhibitedBy) {
        const runtime = byCode.get(code);
        if (runtime) rt.inhibitors.push({ code, scope, runtime });
      }
    }
  }

  /** Fault codes this engine can raise. */
  codes(): string[] {
    return this.runtimes.map((rt) => rt.rule.code);
  }

  /**
   * `unknown`: readings the drivers could not read this time (a problem and no value). Unlike an absent
   * reading, an unknown one neither raises nor clears a fault (conditions.ts, three-valued).
   */
  evaluate(readings: Readings, now: number, unknown?: Iterable<string>): FaultEvent[] {
    this.table.load(readings, unknown);
    this.lastReadings = readings;
    const values = this.table.values;
    const epoch = ++this.epoch;
    const events: FaultEvent[] = [];
    const runtimes = this.runtimes;

    for (let r = 0; r < runtimes.length; r++) {
      const rt = runtimes[r]!;
      if (rt.rule.instancePatterns.length === 0) {
        this.step(rt, NO_INSTANCE, values, now, epoch, events);
        continue;
      }
      const present = this.presentOf(rt);
      for (let i = 0; i < present.length; i++) this.step(rt, present[i]!, values, now, epoch, events);
      // Instances whose readings vanished still step, so they can clear. Backwards: a step may remove.
      for (let i = rt.live.length - 1; i >= 0; i--) {
        const st = rt.live[i]!;
        if (st.stamp !== epoch) this.step(rt, st.instance, values, now, epoch, events);
      }
    }

    for (let r = 0; r < runtimes.length; r++) {
      const rt = runtimes[r]!;
      if (rt.firingCount === 0) continue;
      for (let i = 0; i < rt.live.length; i++) {
        const st = rt.live[i]!;
        if (!st.firing) continue;
        const inhibitor = this.inhibitorOf(rt, st.instance, FIRING);
        const severity = rt.rule.escalate.length ? this.severityOf(rt.rule, values, st.instance) : rt.rule.severity;
        const worse = SEVERITY_RANK[severity] > SEVERITY_RANK[st.reportedSeverity];
        const uninhibited = st.reportedInhibitedBy !== null && inhibitor === null;
        const newlyFlapping = st.flapping && !st.reportedFlapping;
        if (!st.justFired && !worse && !uninhibited && !newlyFlapping) continue;
        if (st.justFired || worse) st.reportedSeverity = severity;
        st.justFired = false;
        st.reportedInhibitedBy = inhibitor;
        st.reportedFlapping = st.flapping;
        events.push(this.event(rt.rule, st, 'raised', st.activeSince, now, readings));
      }
    }
    return events;
  }

  /** Faults firing as of the last evaluation, as last reported, with evidence from its readings. */
  firing(): FiringFault[] {
    const out: FiringFault[] = [];
    for (const rt of this.runtimes) {
      for (const st of rt.live) {
        if (!st.firing) continue;
        const instance = this.table.instanceName(st.instance);
        out.push({
          code: rt.rule.code,
          instance,
          category: rt.rule.category,
          severity: st.reportedSeverity,
          inhibitedBy: st.reportedInhibitedBy,
          since: st.activeSince,
          evidence: evidenceOf(rt.rule, instance, this.lastReadings),
          ...(st.reportedFlapping ? { flapping: true } : {}),
        });
      }
    }
    return out;
  }

  /**
   * Every fault whose condition holds in `readings`, ignoring `for` (SPEC §6: a self-test does not wait),
   * with inhibition among the active ones. The alert states are untouched.
   */
  active(readings: Readings, unknown?: Iterable<string>): ActiveFault[] {
    this.table.load(readings, unknown);
    const values = this.table.values;
    const hits = new Map<RuleRuntime, Set<number>>();
    for (const rt of this.runtimes) {
      const ids = new Set<number>();
      for (const id of this.presentOf(rt)) if (rt.rule.when(values, id)) ids.add(id);
      if (ids.size) hits.set(rt, ids);
    }
    const isActive: Liveness = { any: (rt) => hits.has(rt), at: (rt, id) => hits.get(rt)?.has(id) === true };
    const out: ActiveFault[] = [];
    for (const [rt, ids] of hits) {
      for (const id of ids) {
        const instance = this.table.instanceName(id);
        out.push({
          code: rt.rule.code,
          instance,
          category: rt.rule.category,
          severity: this.severityOf(rt.rule, values, id),
          inhibitedBy: this.inhibitorOf(rt, id, isActive),
          evidence: evidenceOf(rt.rule, instance, readings),
        });
      }
    }
    return out;
  }

  private step(rt: RuleRuntime, id: number, values: Values, now: number, epoch: number, events: FaultEvent[]): void {
    const rule = rt.rule;
    let st = rt.states[id + 1];
    if (st === undefined || !st.firing) {
      if (!rule.when(values, id)) {
        if (st !== undefined) this.remove(rt, st);
        return;
      }
      if (st === undefined) st = this.create(rt, id, now);
      st.stamp = epoch;
      if (now - st.activeSince >= rule.forMs) this.fire(rt, st, now);
      return;
    }
    st.stamp = epoch;
    // A reading that became unknown (its driver could not read it) proves nothing: only a clear
    // condition that surely holds clears, so a sensor glitch does not flap a real fault.
    const clears = rule.clearWhen ? rule.clearWhen(values, id) : !rule.whenPossible(values, id);
    if (st.flapping) {
      this.stepFlapping(rt, st, clears, now, events);
      return;
    }
    if (!clears) {
      st.clearingSince = -1;
      return;
    }
    if (st.clearingSince < 0) st.clearingSince = now;
    if (now - st.clearingSince < rule.keepFiringForMs) return;
    if (rule.flapping && this.flip(rt, id, now) > rule.flapping.changes) {
      st.flapping = true;
      st.holds = false;
      return;
    }
    events.push(this.event(rule, st, 'cleared', st.clearingSince, now, this.lastReadings));
    this.remove(rt, st);
  }

  /** A flapping fault stays firing; toggles keep extending it; `settle` without a toggle ends it. */
  private stepFlapping(rt: RuleRuntime, st: AlertState, clears: boolean, now: number, events: FaultEvent[]): void {
    const holds = !clears;
    if (holds !== st.holds) {
      st.holds = holds;
      if (!holds) st.clearingSince = now;
      this.flip(rt, st.instance, now);
    }
    const flips = rt.flips.get(st.instance);
    const last = flips && flips.length ? flips[flips.length - 1]! : Number.NEGATIVE_INFINITY;
    if (now - last < rt.rule.flapping!.settleMs) return;
    if (holds) {
      rt.flips.delete(st.instance);
      st.flapping = false;
      st.reportedFlapping = false;
      st.clearingSince = -1;
      return;
    }
    events.push(this.event(rt.rule, st, 'cleared', st.clearingSince, now, this.lastReadings));
    this.remove(rt, st);
  }

  /** Records a raise or clear of (rule, instance) at `now`; returns how many fall within the window. */
  private flip(rt: RuleRuntime, id: number, now: number): number {
    const { changes, windowMs } = rt.rule.flapping!;
    let times = rt.flips.get(id);
    if (times === undefined) rt.flips.set(id, (times = []));
    times.push(now);
    while (times.length > changes + 1 || now - times[0]! >= windowMs) times.shift();
    return times.length;
  }

  private create(rt: RuleRuntime, id: number, now: number): AlertState {
    const st: AlertState = {
      instance: id,
      firing: false,
      activeSince: now,
      justFired: false,
      clearingSince: -1,
      flapping: false,
      holds: true,
      stamp: 0,
      reportedInhibitedBy: null,
      reportedSeverity: rt.rule.severity,
      reportedFlapping: false,
    };
    rt.states[id + 1] = st;
    rt.live.push(st);
    return st;
  }

  private fire(rt: RuleRuntime, st: AlertState, now: number): void {
    st.firing = true;
    st.justFired = true;
    rt.firingCount++;
    if (rt.rule.flapping && this.flip(rt, st.instance, now) > rt.rule.flapping.changes) {
      st.flapping = true;
      st.holds = true;
    }
  }

  private remove(rt: RuleRuntime, st: AlertState): void {
    if (st.firing) rt.firingCount--;
    rt.states[st.instance + 1] = undefined;
    rt.live.splice(rt.live.indexOf(st), 1);
  }

  private presentOf(rt: RuleRuntime): number[] {
    const patterns = rt.rule.instancePatterns;
    if (patterns.length === 0) return ONE_INSTANCE;
    if (rt.generation !== this.table.generation) {
      rt.generation = this.table.generation;
      rt.present = patterns.length === 1 ? patterns[0]!.present : [...new Set(patterns.flatMap((p) => p.present))];
    }
    return rt.present;
  }

  /** The first inhibitor that explains (rt, id), given which (rule, instance) pairs count as firing. */
  private inhibitorOf(rt: RuleRuntime, id: number, on: Liveness): string | null {
    for (const inh of rt.inhibitors) {
      const other = inh.runtime;
      if (inh.scope === 'any' ? on.any(other) : inh.scope === 'same_instance' ? on.at(other, id) : this.allPresent(other, on)) {
        return inh.code;
      }
    }
    return null;
  }

  private allPresent(rt: RuleRuntime, on: Liveness): boolean {
    const present = this.presentOf(rt);
    for (let i = 0; i < present.length; i++) if (!on.at(rt, present[i]!)) return false;
    return present.length > 0;
  }

  private severityOf(rule: CompiledRule, values: Values, id: number): Severity {
    for (const e of rule.escalate) if (e.when(values, id)) return e.severity;
    return rule.severity;
  }

  private event(rule: CompiledRule, st: AlertState, state: FaultEvent['state'], since: number, at: number, readings: Readings): FaultEvent {
    const instance = this.table.instanceName(st.instance);
    return {
      code: rule.code,
      instance,
      state,
      category: rule.category,
      severity: st.reportedSeverity,
      since,
      at,
      inhibitedBy: st.reportedInhibitedBy,
      evidence: evidenceOf(rule, instance, readings),
      ...(st.flapping ? { flapping: true } : {}),
    };
  }
}

/** Which (rule, instance) pairs count as on: firing (live alerts) or active (self-test). */
interface Liveness {
  any(rt: RuleRuntime): boolean;
  at(rt: RuleRuntime, id: number): boolean;
}

const FIRING: Liveness = {
  any: (rt) => rt.firingCount > 0,
  at: (rt, id) => rt.states[id + 1]?.firing === true,
};

/** The readings the rule names, resolved for the instance, plus the device's raw `*_hex` evidence. */
function evidenceOf(rule: CompiledRule, instance: string | null, readings: Readings): Readings {
  const out: Readings = {};
  for (const ref of rule.evidence) {
    const name = ref.resolve(instance);
    const value = readings[name];
    if (value !== undefined) out[name] = value;
  }
  for (const key in readings) {
    if (key.endsWith('_hex') && key.startsWith(rule.devicePrefix)) out[key] = readings[key]!;
  }
  return out;
}
