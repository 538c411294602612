import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseDuration } from '../src/config/schema.js';
import type { ReadingValue, Readings } from '../src/core/readings.js';
import { loadDefaultRules } from '../src/diagnostics/rule-files.js';
import { RuleEngine } from '../src/diagnostics/rule-engine.js';
import type { FaultEvent } from '../src/diagnostics/types.js';

/**
 * Rule tests as data, in the manner of promtool: every fixtures/rules/*.json names input series over
 * time and the events the built-in rules must emit at given times. Any evaluation without an `expect`
 * entry must emit nothing.
 *
 * Series notation: space-separated values, one per evaluation step; `true`/`false`, numbers, `'quoted'`
 * or bare strings; `_` for an absent reading; `value*N` repeats a value N times.
 */

const duration = z.string().regex(/^\d+(ms|s|m|h)$/);
const expectedEvent = z.strictObject({
  code: z.string(),
  state: z.enum(['raised', 'cleared']),
  instance: z.string().nullable().default(null),
  inhibitedBy: z.string().nullable().default(null),
  severity: z.string().optional(),
  since: duration.optional(),
});
const fixtureSchema = z.strictObject({
  description: z.string(),
  interval: duration,
  thresholds: z.record(z.string(), z.number()).default({}),
  series: z.record(z.string(), z.string()),
  expect: z.array(z.strictObject({ at: duration, events: z.array(expectedEvent).min(1) })),
});

const ABSENT = Symbol('absent');

function parseSeries(text: string): (ReadingValue | typeof ABSENT)[] {
  const values: (ReadingValue | typeof ABSENT)[] = [];
  for (const token of text.trim().split(/\s+/)) {
    const m = /^(.*?)(?:\*(\d+))?$/.exec(token)!;
    const raw = m[1]!;
    const value =
      raw === '_' ? ABSENT
      : raw === 'true' ? true
      : raw === 'false' ? false
      : /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw)
      : raw.replace(/^'(.*)'$/, '$1');
    for (let i = 0; i < Number(m[2] ?? 1); i++) values.push(value);
  }
  return values;
}

const T0 = Date.UTC(2026, 0, 1);
const FIXTURE_DIR = new URL('../fixtures/rules/', import.meta.url);
const files = readdirSync(FIXTURE_DIR).filter((f) => f.endsWith('.json')).sort();

describe('rule fixtures', () => {
  it('cover every device family', () => {
    const families = new Set<string>();
    for (const file of files) {
      const fx = fixtureSchema.parse(JSON.parse(readFileSync(new URL(file, FIXTURE_DIR), 'utf8')));
      for (const step of fx.expect) for (const ev of step.events) families.add(ev.code.split('.')[0]!);
    }
    expect([...families].sort()).toEqual(['agent', 'battery', 'card_reader', 'modem', 'network', 'printer', 'system']);
  });

  for (const file of files) {
    it(file, async () => {
      const fx = fixtureSchema.parse(JSON.parse(readFileSync(new URL(file, FIXTURE_DIR), 'utf8')));
      const engine = new RuleEngine(await loadDefaultRules(), { thresholds: fx.thresholds });
      const interval = parseDuration(fx.interval);
      const series = Object.entries(fx.series).map(([name, text]) => [name, parseSeries(text)] as const);
      const steps = Math.max(...series.map(([, values]) => values.length));
      const expected = new Map(fx.expect.map((e) => [parseDuration(e.at), e.events]));
      for (const at of expected.keys()) expect(at % interval === 0 && at / interval < steps, `expect at ${at} ms is not a step`).toBe(true);

      for (let i = 0; i < steps; i++) {
        const offset = i * interval;
        const readings: Readings = {};
        for (const [name, values] of series) {
          const v = values[i];
          if (v !== undefined && v !== ABSENT) readings[name] = v;
        }
        const want = (expected.get(offset) ?? []).map(({ since, ...e }) => ({
          ...e,
          ...(since === undefined ? {} : { since: parseDuration(since) }),
        }));
        const got = engine.evaluate(readings, T0 + offset).map((ev) => project(ev, want));
        expect(sortEvents(got), `events at ${offset / 1000}s`).toEqual(sortEvents(want));
      }
    });
  }
});

/** The event with only the fields the fixture checks: severity and since only where some expectation names them. */
function project(ev: FaultEvent, want: { code: string; severity?: string; since?: number }[]) {
  const spec = want.find((w) => w.code === ev.code);
  return {
    code: ev.code,
    state: ev.state,
    instance: ev.instance,
    inhibitedBy: ev.inhibitedBy,
    ...(spec?.severity === undefined ? {} : { severity: ev.severity }),
    ...(spec?.since === undefined ? {} : { since: ev.since - T0 }),
  };
}

function sortEvents<T>(events: T[]): T[] {
  return [...events].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}
