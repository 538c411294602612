/**
 * Our RuleEngine.evaluate against json-rules-engine (the yardstick in the toolchain notes) on the same
 * built-in rules over the same 48 readings. json-rules-engine has no per-instance rules, so each `*`
 * rule is expanded into one rule per instance present; its `present` op is added as a custom operator.
 * Ours is synchronous and is timed as such; theirs is awaited, as its API requires.
 */
import { Engine } from 'json-rules-engine';
import type { Readings } from '../packages/agent/src/core/readings.js';
import { loadDefaultRules } from '../packages/agent/src/rules/rule-files.js';
import { RuleEngine } from '../packages/agent/src/rules/rule-engine.js';
import { PatternRef } from '../packages/agent/src/rules/reading-table.js';
import type { ConditionSpec, RuleSet } from '../packages/agent/src/rules/rule-schema.js';
import { FAULT_CATALOG } from '../packages/agent/src/devices/catalog.js';

const READINGS: Readings = {
  'printer.connected': true, 'printer.online': false, 'printer.cover_open': false, 'printer.cutter_error': false,
  'printer.head_overheat': false, 'printer.unrecoverable_error': false, 'printer.paper': 'end', 'printer.status_hex': '72',
  'card_reader.connected': true, 'card_reader.swipes': 120, 'card_reader.read_errors': 3,
  'battery.present': true, 'power.ac_online': false, 'battery.level_pct': 18, 'battery.temperature_c': 31,
  'battery.voltage_v': 3.9, 'battery.capacity_health_pct': 91, 'battery.cycle_count': 210, 'battery.status': 'discharging',
  'battery.health': 'good',
  'network.eth0.up': false, 'network.eth0.operstate': 'down', 'network.wlan0.up': true, 'network.wlan0.operstate': 'up',
  'network.wlan0.signal_dbm': -64,
  'network.target.acquirer.dns_ok': true, 'network.target.acquirer.reachable': true, 'network.target.acquirer.latency_ms': 48,
  'network.target.tms.dns_ok': true, 'network.target.tms.reachable': false,
  'modem.responding': true, 'modem.sim': 'ready', 'modem.signal_dbm': -85, 'modem.registration': 'home',
  'system.disk_free_pct': 55, 'system.mem_available_pct': 40, 'system.clock_skew_s': 2, 'system.cpu_temp_c': 52,
  'agent.storage': 'disk',
  'printer.cuts_total': 120_400, 'card_reader.track.1.failure_rise_pts': 0.4, 'card_reader.track.2.failure_rise_pts': 1.1,
  'battery.capacity_fade_pct_per_month': 0.6, 'network.eth0.carrier_changes': 4, 'network.wlan0.carrier_changes': 9,
  'modem.operator': 'CHN-CT', 'system.uptime_s': 86_400, 'card_reader.swipes_total': 5_321,
};

const OPERATORS: Record<string, string> = {
  eq: 'equal', ne: 'notEqual', lt: 'lessThan', le: 'lessThanInclusive', gt: 'greaterThan', ge: 'greaterThanInclusive', in: 'in', present: 'present',
};

function translate(spec: ConditionSpec, thresholds: Record<string, number>, inst: string | null): object {
  if (spec.all) return { all: spec.all.map((c) => translate(c, thresholds, inst)) };
  if (spec.any) return { any: spec.any.map((c) => translate(c, thresholds, inst)) };
  if (spec.not) return { not: translate(spec.not, thresholds, inst) };
  const op = Object.keys(OPERATORS).find((k) => spec[k as keyof ConditionSpec] !== undefined)!;
  const raw = spec[op as keyof ConditionSpec] as unknown;
  const value =
    typeof raw === 'object' && raw !== null && 'threshold' in raw
      ? (thresholds[(raw as { threshold: string }).threshold]! * ((raw as { negate?: boolean }).negate ? -1 : 1))
      : raw;
  const fact = spec.reading!.includes('*') ? new PatternRef(spec.reading!).resolve(inst!) : spec.reading!;
  return { fact, operator: OPERATORS[op], value };
}

function leafReadings(spec: ConditionSpec): string[] {
  if (spec.all) return spec.all.flatMap(leafReadings);
  if (spec.any) return spec.any.flatMap(leafReadings);
  if (spec.not) return leafReadings(spec.not);
  return [spec.reading!];
}

function baseline(set: RuleSet): Engine {
  const engine = new Engine([], { allowUndefinedFacts: true });
  engine.addOperator('present', (fact: unknown, want: unknown) => (fact !== undefined) === want);
  for (const rule of set.rules) {
    const patterns = leafReadings(rule.when).filter((r) => r.includes('*')).map((r) => new PatternRef(r));
    const instances = patterns.length === 0 ? [null] : [...new Set(Object.keys(READINGS).flatMap((k) => patterns.map((p) => p.instanceOf(k)).filter((i) => i !== null)))];
    for (const inst of instances) {
      engine.addRule({ conditions: { all: [translate(rule.when, set.thresholds, inst)] } as never, event: { type: rule.code, params: { inst } } });
    }
  }
  return engine;
}

/** Runs per second of `run`, awaiting each run when `awaited`. */
async function measure(run: (i: number) => unknown, awaited: boolean, ms = 1500): Promise<number> {
  for (let i = 0; i < 2000; i++) await run(i);
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    if (awaited) for (let j = 0; j < 100; j++) await run(n++);
    else for (let j = 0; j < 1000; j++) run(n++);
  }
  return n / ((performance.now() - start) / 1000);
}

export default async function bench(): Promise<Record<string, number | string>> {
  const set = await loadDefaultRules();
  const ours = new RuleEngine(set, { catalog: FAULT_CATALOG });
  const theirs = baseline(set);
  const t0 = Date.UTC(2026, 0, 1);
  const oursPerS = await measure((i) => ours.evaluate(READINGS, t0 + i * 1000), false);
  const theirsPerS = await measure(() => theirs.run(READINGS), true);
  return {
    rules: set.rules.length,
    readings: Object.keys(READINGS).length,
    ours_evals_per_s: Math.round(oursPerS),
    json_rules_engine_runs_per_s: Math.round(theirsPerS),
    ratio: Math.round((oursPerS / theirsPerS) * 10) / 10,
  };
}
