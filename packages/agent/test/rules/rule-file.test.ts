import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FAULT_CATALOG as catalog } from '../../src/devices/catalog.js';
import { createRuleEngine, loadDefaultRules, loadRuleFile } from '../../src/rules/rule-files.js';
import { RuleEngine } from '../../src/rules/rule-engine.js';
import { parseRuleSet, RuleFileError } from '../../src/rules/rule-schema.js';

function problems(input: unknown): string[] {
  try {
    parseRuleSet(input, 'test.json');
  } catch (err) {
    expect(err).toBeInstanceOf(RuleFileError);
    return (err as RuleFileError).problems;
  }
  throw new Error('expected the rule set to be rejected');
}

const paperEnd = { code: 'printer.paper_end', when: { reading: 'printer.paper', eq: 'end' } };

describe('rule file validation', () => {
  it('names the rule index, its code and the key path', () => {
    const bad = {
      rules: [paperEnd, { code: 'battery.low', when: { all: [{ reading: 'battery.status', eq: 'discharging' }, { reading: 'battery.level_pct', lt: 'low' }] } }],
    };
    const [line, ...rest] = problems(bad);
    expect(rest).toEqual([]);
    expect(line).toBe('rules[1] (battery.low) when.all[1].lt: a number or {"threshold": name}');
  });

  it('rejects a leaf with no operator or two, and a node that is two things at once', () => {
    expect(problems({ rules: [{ code: 'printer.paper_end', when: { reading: 'printer.paper' } }] })).toEqual([
      'rules[0] (printer.paper_end) when: a leaf needs exactly one operator of eq, ne, lt, le, gt, ge, in, present',
    ]);
    expect(problems({ rules: [{ code: 'printer.paper_end', when: { reading: 'printer.paper', eq: 'end', ne: 'ok' } }] })[0]).toMatch(
      /^rules\[0\] \(printer\.paper_end\) when: a leaf needs exactly one operator/,
    );
    expect(problems({ rules: [{ code: 'printer.paper_end', when: { not: paperEnd.when, eq: 1 } }] })).toEqual([
      'rules[0] (printer.paper_end) when.eq: "eq" belongs in a leaf with "reading"',
    ]);
  });

  it('rejects unknown keys, bad durations, two `*` and duplicate codes', () => {
    expect(problems({ rules: [{ ...paperEnd, fro: '5s' }] })[0]).toMatch(/^rules\[0\] \(printer\.paper_end\): .*fro/);
    expect(problems({ rules: [{ ...paperEnd, for: '5 minutes' }] })[0]).toMatch(/^rules\[0\] \(printer\.paper_end\) for: a duration/);
    expect(problems({ rules: [{ code: 'network.link_down', when: { reading: 'network.*.x.*', eq: false } }] })[0]).toMatch(
      /^rules\[0\] \(network\.link_down\) when\.reading: at most one "\*"/,
    );
    expect(problems({ rules: [paperEnd, paperEnd] })).toEqual(['rules[1] (printer.paper_end) code: duplicate rule for "printer.paper_end"']);
    expect(problems({ rules: 'none' })[0]).toMatch(/^rules: /);
  });

  it('rejects, when compiling, a code missing from the catalog and an unknown inhibitor', () => {
    const set = parseRuleSet({ rules: [{ code: 'printer.on_fire', when: paperEnd.when, inhibitedBy: ['printer.disconected'] }] });
    expect(() => new RuleEngine(set, { catalog })).toThrow(RuleFileError);
    try {
      new RuleEngine(set, { catalog });
    } catch (err) {
      expect((err as RuleFileError).problems).toEqual([
        'rules[0] (printer.on_fire) code: no catalog entry for "printer.on_fire"',
        'rules[0] (printer.on_fire) inhibitedBy[0]: unknown fault code "printer.disconected"',
      ]);
    }
  });

  it('rejects a `*` outside `when` when `when` has none', () => {
    const set = parseRuleSet({ rules: [{ ...paperEnd, evidence: ['network.*.up'] }] });
    expect(() => new RuleEngine(set, { catalog })).toThrow(/rules\[0\] \(printer\.paper_end\): a "\*" reading outside "when"/);
  });
});

describe('rule files on disk', () => {
  const dir = mkdtempSync(join(tmpdir(), 'posdiag-rules-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('ships a default rule set that compiles against the catalog', async () => {
    const set = await loadDefaultRules();
    const e = new RuleEngine(set, { catalog });
    for (const code of e.codes()) expect(catalog.has(code)).toBe(true);
    expect(e.codes()).toContain('printer.paper_end');
  });

  it('names the file in errors, for bad JSON and bad content', async () => {
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{ "rules": [');
    await expect(loadRuleFile(broken)).rejects.toThrow(new RegExp(`^${broken}: `));
    const wrong = join(dir, 'wrong.json');
    writeFileSync(wrong, JSON.stringify({ rules: [{ code: 'printer.paper_end', when: {} }] }));
    await expect(loadRuleFile(wrong)).rejects.toThrow(`${wrong}: rules[0] (printer.paper_end) when: a condition needs exactly one of`);
  });

  it('adds config rule files after the built-in set, with threshold overrides; redefinitions are errors', async () => {
    const extra = join(dir, 'extra.json');
    writeFileSync(extra, JSON.stringify({ thresholds: { 'site.flaky_pct': 50 }, rules: [{ code: 'site.flaky_reader', when: { reading: 'site.error_pct', gt: { threshold: 'site.flaky_pct' } } }] }));
    // A site's own code needs its own catalog entry; the built-in codes all have rules already.
    const siteCatalog = new Map(catalog);
    siteCatalog.set('site.flaky_reader', { ...catalog.get('card_reader.read_errors_high')!, code: 'site.flaky_reader' });
    const e = await createRuleEngine({ files: [extra], thresholds: { 'site.flaky_pct': 30, 'battery.low_pct': 40 } }, siteCatalog);
    expect(e.active({ 'site.error_pct': 35 }).map((f) => f.code)).toEqual(['site.flaky_reader']);
    expect(e.active({ 'battery.status': 'discharging', 'battery.level_pct': 35 }).map((f) => f.code)).toEqual(['battery.low']);

    const twin = join(dir, 'twin.json');
    writeFileSync(twin, JSON.stringify({ thresholds: { 'battery.low_pct': 10 }, rules: [paperEnd] }));
    await expect(createRuleEngine({ files: [twin], thresholds: {} }, catalog)).rejects.toThrow(/thresholds\.battery\.low_pct is already defined.*"printer\.paper_end" is already defined/);
  });
});
