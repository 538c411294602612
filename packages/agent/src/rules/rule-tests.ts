import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { duration, parseDuration } from '../config/schema.js';
import type { ReadingValue, Readings } from '../core/readings.js';
import { builtinRuleSets, checkRuleFile, mergeRuleSets } from './rule-files.js';
import { RuleEngine } from './rule-engine.js';
import { describePath, RuleFileError } from './rule-schema.js';
import type { Catalog } from '../faults/catalog.js';
import type { FaultEvent } from '../faults/types.js';

/**
 * Rule tests as data, in the manner of promtool: a test file names input series over time and the
 * events the rules must emit at given times. Any evaluation without an `expect` entry must emit
 * nothing. The rules are the built-in set plus the test's `rules` files (paths relative to the test
 * file), as the agent merges them; `thresholds` overrides thresholds as the config does.
 *
 * Series notation: space-separated values, one per evaluation step; `true`/`false`, numbers, `'quoted'`
 * or bare strings; `_` for an absent reading; `value*N` repeats a value N times.
 */

const expectedEvent = z.strictObject({
  code: z.string(),
  state: z.enum(['raised', 'cleared']),
  instance: z.string().nullable().default(null),
  inhibitedBy: z.string().nullable().default(null),
  /** Checked only when given, as are `since` and `flapping`. */
  severity: z.string().optional(),
  since: duration.optional(),
  flapping: z.boolean().optional(),
});
export const ruleTestSchema = z.strictObject({
  description: z.string(),
  rules: z.array(z.string().min(1)).default([]),
  interval: duration,
  thresholds: z.record(z.string(), z.number()).default({}),
  series: z.record(z.string(), z.string().min(1)),
  expect: z.array(z.strictObject({ at: duration, events: z.array(expectedEvent).min(1) })),
});
export type RuleTest = z.infer<typeof ruleTestSchema>;
type ExpectedEvent = z.infer<typeof expectedEvent>;

export interface RuleTestResult {
  source: string;
  description: string;
  /** One line per evaluation whose events differ from the expected ones; empty: the test passed. */
  failures: string[];
  /** Codes of the events the test expects, so a suite can check that every rule is tested. */
  codes: string[];
}

/** Evaluations start here; `since` in expectations is relative to it. */
const T0 = Date.UTC(2026, 0, 1);
const ABSENT = Symbol('absent');
type SeriesValue = ReadingValue | typeof ABSENT;

export function parseSeries(text: string): SeriesValue[] {
  const values: SeriesValue[] = [];
  for (const token of text.trim().split(/\s+/)) {
    const m = /^(.*?)(?:\*(\d+))?$/.exec(token)!;
    const raw = m[1]!;
    const value: SeriesValue =
      raw === '_' ? ABSENT
      : raw === 'true' ? true
      : raw === 'false' ? false
      : /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw)
      : raw.replace(/^'(.*)'$/, '$1');
    for (let i = 0; i < Number(m[2] ?? 1); i++) values.push(value);
  }
  return values;
}

/** Reads and validates a test file; a bad file is a RuleFileError naming the key. */
export async function loadRuleTest(file: string): Promise<RuleTest> {
  let input: unknown;
  try {
    input = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new RuleFileError(file, [(err as Error).message]);
  }
  const parsed = ruleTestSchema.safeParse(input);
  if (!parsed.success) throw new RuleFileError(file, parsed.error.issues.map((i) => `${describePath(input, i.path)}: ${i.message}`));
  return parsed.data;
}

/** Loads a test file and its rules, and runs it. Throws RuleFileError when the test or a rule file is invalid. */
export async function runRuleTestFile(file: string, catalog: Catalog): Promise<RuleTestResult> {
  const test = await loadRuleTest(file);
  const sets = await builtinRuleSets();
  for (const rel of test.rules) {
    const path = resolve(dirname(file), rel);
    // Checked on its own first, so its errors name its own rule indexes.
    sets.push({ source: path, set: await checkRuleFile(path, catalog) });
  }
  const engine = new RuleEngine(mergeRuleSets(sets), { thresholds: test.thresholds, source: file, catalog });
  return { source: file, description: test.description, failures: runRuleTest(test, engine), codes: expectedCodes(test) };
}

/** Feeds the series to `engine` step by step; returns one line per step whose events differ. */
export function runRuleTest(test: RuleTest, engine: RuleEngine): string[] {
  const interval = parseDuration(test.interval);
  const series = Object.entries(test.series).map(([name, text]) => [name, parseSeries(text)] as const);
  const steps = Math.max(...series.map(([, values]) => values.length));
  const failures: string[] = [];
  const expected = new Map<number, ExpectedEvent[]>();
  for (const { at, events } of test.expect) {
    const offset = parseDuration(at);
    if (offset % interval !== 0 || offset / interval >= steps) failures.push(`expect at ${at}: not an evaluation time (every ${test.interval}, ${steps} steps)`);
    expected.set(offset, [...(expected.get(offset) ?? []), ...events]);
  }

  for (let i = 0; i < steps; i++) {
    const offset = i * interval;
    const readings: Readings = {};
    for (const [name, values] of series) {
      const v = values[i];
      if (v !== undefined && v !== ABSENT) readings[name] = v;
    }
    const want = (expected.get(offset) ?? []).map(normalize).sort();
    const got = engine.evaluate(readings, T0 + offset).map((ev) => describe(ev, expected.get(offset) ?? [])).sort();
    if (want.join('\n') !== got.join('\n')) {
      failures.push(`at ${formatOffset(offset)}: expected [${want.join(', ')}], got [${got.join(', ')}]`);
    }
  }
  return failures;
}

function expectedCodes(test: RuleTest): string[] {
  return [...new Set(test.expect.flatMap((step) => step.events.map((e) => e.code)))];
}

/** `raised network.dns_failure:acquirer inhibitedBy=network.link_down since=10s`. */
function normalize(e: ExpectedEvent): string {
  return line(e.state, e.code, e.instance, e.inhibitedBy, e.severity, e.since === undefined ? undefined : parseDuration(e.since), e.flapping);
}

/** The event with only the fields some expectation of its code names (severity, since, flapping). */
function describe(ev: FaultEvent, want: ExpectedEvent[]): string {
  const spec = want.find((w) => w.code === ev.code && w.instance === ev.instance) ?? want.find((w) => w.code === ev.code);
  return line(
    ev.state,
    ev.code,
    ev.instance,
    ev.inhibitedBy,
    spec?.severity === undefined ? undefined : ev.severity,
    spec?.since === undefined ? undefined : ev.since - T0,
    spec?.flapping === undefined ? undefined : ev.flapping === true,
  );
}

function line(state: string, code: string, instance: string | null, inhibitedBy: string | null, severity?: string, since?: number, flapping?: boolean): string {
  let out = `${state} ${instance === null ? code : `${code}:${instance}`}`;
  if (inhibitedBy !== null) out += ` inhibitedBy=${inhibitedBy}`;
  if (severity !== undefined) out += ` severity=${severity}`;
  if (since !== undefined) out += ` since=${formatOffset(since)}`;
  if (flapping !== undefined) out += ` flapping=${flapping}`;
  return out;
}

function formatOffset(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
