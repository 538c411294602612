import type { Readings } from '../core/readings.js';
import type { Severity } from '../report/schema.js';
import { catalog as builtinCatalog } from './catalog.js';
import { compileRuleSet } from './compile-rules.js';
import type { CompiledRule } from './compile-rules.js';
import type { RuleSet } from './rule-schema.js';
import type { ActiveFault, CatalogEntry, FaultEvent, FiringFault } from './types.js';

export interface RuleEngineOptions {
  catalog?: ReadonlyMap<string, CatalogEntry>;
  /** Overrides of the rule set's thresholds by name (config `rules.thresholds`); an unknown name is an error. */
  thresholds?: Record<string, number>;
  /** Names the rule set in error messages. */
  source?: string;
}

/**
 * Per (rule, instance): pending while the condition holds for less than `for`, firing after. Absent
 * from the state map means inactive.
 */
interface AlertState {
  firing: boolean;
  /** When the condition began to hold. */
  activeSince: number;
  /** Became firing in the current evaluation; its `raised` event is still to be emitted. */
  justFired: boolean;
  /** What receivers were last told, so a change they must hear about is re-raised. */
  reportedInhibitedBy: string | null;
  reportedSeverity: Severity;
}

const SEVERITY_RANK: Record<Severity, number> = { info: 0, minor: 1, major: 2, critical: 3 };

/** `printer.paper_end` or `network.link_down:wlan0`: how one fault instance is named in lists. */
export function faultKey(code: string, instance: string | null): string {
  return instance === null ? code : `${code}:${instance}`;
}

/**
 * Prometheus alerting semantics over readings. Time is only ever the `now` argument.
 *
 * - inactive → pending when `when` holds; pending → firing once it has held for `for` (`for: 0` fires on
 *   the first evaluation), emitting `raised` with `since` = when it began to hold; pending → inactive,
 *   silently, when it stops holding.
 * - firing → inactive when `clearWhen` holds (hysteresis), or, without `clearWhen`, when `when` stops
 *   holding; emits `cleared` with `since` = now.
 * - Inhibition is decided after every rule has stepped, so rule order never matters: a firing fault
 *   whose `inhibitedBy` names a code firing on any instance carries that code. A `cleared` carries the
 *   inhibitor its `raised` carried, so a fault never alerted is never "un-alerted". A firing fault is
 *   re-raised when it loses its inhibitor (the root cause went away, this one did not) or when its
 *   severity escalates; severity never drops while firing.
 */
export class RuleEngine {
  private readonly rules: readonly CompiledRule[];
  private readonly states: Map<string | null, AlertState>[];
  private lastReadings: Readings = {};

  constructor(ruleSet: RuleSet, options: RuleEngineOptions = {}) {
    this.rules = compileRuleSet(ruleSet, options.catalog ?? builtinCatalog, options.thresholds, options.source);
    this.states = this.rules.map(() => new Map());
  }

  /** Fault codes this engine can raise. */
  codes(): string[] {
    return this.rules.map((r) => r.code);
  }

  evaluate(readings: Readings, now: number): FaultEvent[] {
    this.lastReadings = readings;
    const events: FaultEvent[] = [];
    const instances = new InstanceIndex(readings);
    this.rules.forEach((rule, i) => {
      const states = this.states[i]!;
      if (rule.instancePatterns.length === 0) {
        this.step(rule, states, null, readings, now, events);
        return;
      }
      const present = instances.of(rule);
      for (const inst of present) this.step(rule, states, inst, readings, now, events);
      // Instances whose readings vanished still step, so they can clear.
      for (const inst of states.keys()) if (!present.has(inst!)) this.step(rule, states, inst, readings, now, events);
    });

    const firingCodes = this.firingCodes();
    this.rules.forEach((rule, i) => {
      for (const [inst, st] of this.states[i]!) {
        if (!st.firing) continue;
        const inhibitor = firstIn(rule.inhibitedBy, firingCodes);
        const severity = this.severityOf(rule, readings, inst);
        const worse = SEVERITY_RANK[severity] > SEVERITY_RANK[st.reportedSeverity];
        const uninhibited = st.reportedInhibitedBy !== null && inhibitor === null;
        if (!st.justFired && !worse && !uninhibited) continue;
        if (st.justFired || worse) st.reportedSeverity = severity;
        st.justFired = false;
        st.reportedInhibitedBy = inhibitor;
        events.push(this.event(rule, inst, 'raised', st.activeSince, now, st, readings));
      }
    });
    return events;
  }

  /** Faults firing as of the last evaluation, as last reported, with evidence from its readings. */
  firing(): FiringFault[] {
    const out: FiringFault[] = [];
    this.rules.forEach((rule, i) => {
      for (const [inst, st] of this.states[i]!) {
        if (!st.firing) continue;
        out.push({
          code: rule.code,
          instance: inst,
          category: rule.category,
          severity: st.reportedSeverity,
          inhibitedBy: st.reportedInhibitedBy,
          since: st.activeSince,
          evidence: evidenceOf(rule, inst, this.lastReadings),
        });
      }
    });
    return out;
  }

  /**
   * Every fault whose condition holds in `readings`, ignoring `for` (SPEC §6: a self-test does not wait),
   * with inhibition among the active ones. Stateless: the alert states are untouched.
   */
  active(readings: Readings): ActiveFault[] {
    const instances = new InstanceIndex(readings);
    const hits: { rule: CompiledRule; inst: string | null }[] = [];
    for (const rule of this.rules) {
      const candidates = rule.instancePatterns.length === 0 ? [null] : instances.of(rule);
      for (const inst of candidates) if (rule.when(readings, inst)) hits.push({ rule, inst });
    }
    const activeCodes = new Set(hits.map((h) => h.rule.code));
    return hits.map(({ rule, inst }) => ({
      code: rule.code,
      instance: inst,
      category: rule.category,
      severity: this.severityOf(rule, readings, inst),
      inhibitedBy: firstIn(rule.inhibitedBy, activeCodes),
      evidence: evidenceOf(rule, inst, readings),
    }));
  }

  private step(
    rule: CompiledRule,
    states: Map<string | null, AlertState>,
    inst: string | null,
    readings: Readings,
    now: number,
    events: FaultEvent[],
  ): void {
    let st = states.get(inst);
    if (st === undefined || !st.firing) {
      if (!rule.when(readings, inst)) {
        if (st) states.delete(inst);
        return;
      }
      if (st === undefined) {
        st = { firing: false, activeSince: now, justFired: false, reportedInhibitedBy: null, reportedSeverity: rule.severity };
        states.set(inst, st);
      }
      if (now - st.activeSince >= rule.forMs) {
        st.firing = true;
        st.justFired = true;
      }
      return;
    }
    const clears = rule.clearWhen ? rule.clearWhen(readings, inst) : !rule.when(readings, inst);
    if (!clears) return;
    states.delete(inst);
    events.push(this.event(rule, inst, 'cleared', now, now, st, readings));
  }

  private event(
    rule: CompiledRule,
    inst: string | null,
    state: FaultEvent['state'],
    since: number,
    at: number,
    st: AlertState,
    readings: Readings,
  ): FaultEvent {
    return {
      code: rule.code,
      instance: inst,
      state,
      category: rule.category,
      severity: st.reportedSeverity,
      since,
      at,
      inhibitedBy: st.reportedInhibitedBy,
      evidence: evidenceOf(rule, inst, readings),
    };
  }

  private severityOf(rule: CompiledRule, readings: Readings, inst: string | null): Severity {
    for (const e of rule.escalate) if (e.when(readings, inst)) return e.severity;
    return rule.severity;
  }

  private firingCodes(): Set<string> {
    const codes = new Set<string>();
    this.rules.forEach((rule, i) => {
      for (const st of this.states[i]!.values()) {
        if (st.firing) {
          codes.add(rule.code);
          break;
        }
      }
    });
    return codes;
  }
}

function firstIn(codes: readonly string[], set: ReadonlySet<string>): string | null {
  for (const code of codes) if (set.has(code)) return code;
  return null;
}

/** The readings the rule names, resolved for the instance, plus the device's raw `*_hex` evidence. */
function evidenceOf(rule: CompiledRule, inst: string | null, readings: Readings): Readings {
  const out: Readings = {};
  for (const ref of rule.evidence) {
    const name = ref.resolve(inst);
    const value = readings[name];
    if (value !== undefined) out[name] = value;
  }
  for (const key in readings) {
    if (key.endsWith('_hex') && key.startsWith(rule.devicePrefix)) out[key] = readings[key]!;
  }
  return out;
}

/** Instances present in one set of readings, per `*` pattern, computed on first use. */
class InstanceIndex {
  private readonly byPattern = new Map<string, Set<string>>();

  constructor(private readonly readings: Readings) {}

  of(rule: CompiledRule): Set<string> {
    if (rule.instancePatterns.length === 1) return this.ofPattern(rule.instancePatterns[0]!);
    const all = new Set<string>();
    for (const ref of rule.instancePatterns) for (const inst of this.ofPattern(ref)) all.add(inst);
    return all;
  }

  private ofPattern(ref: CompiledRule['instancePatterns'][number]): Set<string> {
    let found = this.byPattern.get(ref.name);
    if (found === undefined) {
      found = new Set();
      for (const key in this.readings) {
        const inst = ref.instanceOf(key);
        if (inst !== null) found.add(inst);
      }
      this.byPattern.set(ref.name, found);
    }
    return found;
  }
}
