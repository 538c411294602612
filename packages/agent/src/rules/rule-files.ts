import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseRuleSet, RuleFileError } from './rule-schema.js';
import type { RuleSet } from './rule-schema.js';
import { RuleEngine } from './rule-engine.js';
import type { Catalog } from '../faults/catalog.js';
import { families } from '../devices/index.js';

/**
 * The agent's own rules (its storage and log), the flapping default and the thresholds several
 * families share. The relative path holds from both src/rules/ and dist/rules/.
 */
const AGENT_RULES_URL = new URL('../../rules/default.json', import.meta.url);

/** Reads and validates one rule file; every error names the file, the rule and the key. */
export async function loadRuleFile(file: string | URL): Promise<RuleSet> {
  const source = typeof file === 'string' ? file : fileURLToPath(file);
  let input: unknown;
  try {
    input = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new RuleFileError(source, [(err as Error).message]);
  }
  return parseRuleSet(input, source);
}

/** The built-in rule files: each device family's (devices/<family>/rules.json) in list order, then the agent's own. */
export async function builtinRuleSets(): Promise<{ source: string; set: RuleSet }[]> {
  const fromFamilies = families.map(({ rules }) => {
    const source = fileURLToPath(rules.file);
    return { source, set: parseRuleSet(rules.content, source) };
  });
  return [...fromFamilies, { source: fileURLToPath(AGENT_RULES_URL), set: await loadRuleFile(AGENT_RULES_URL) }];
}

/** The built-in rules as one set. */
export async function loadDefaultRules(): Promise<RuleSet> {
  return mergeRuleSets(await builtinRuleSets());
}

/**
 * Later sets add thresholds and rules after the earlier ones. Redefining a threshold, a rule code or
 * the flapping setting is an error: a config moves a threshold with `rules.thresholds`, not with a second definition.
 */
export function mergeRuleSets(sets: { source: string; set: RuleSet }[]): RuleSet {
  const merged: RuleSet = { thresholds: {}, rules: [] };
  const owner = new Map<string, string>();
  const problems: string[] = [];
  for (const { source, set } of sets) {
    if (set.flapping && merged.flapping) problems.push(`${source}: flapping is already defined (a rule can override it with its own "flapping")`);
    else if (set.flapping) merged.flapping = set.flapping;
    for (const [name, value] of Object.entries(set.thresholds)) {
      if (Object.hasOwn(merged.thresholds, name)) problems.push(`${source}: thresholds.${name} is already defined`);
      else merged.thresholds[name] = value;
    }
    for (const rule of set.rules) {
      const first = owner.get(rule.code);
      if (first) problems.push(`${source}: a rule for "${rule.code}" is already defined in ${first}`);
      else {
        owner.set(rule.code, source);
        merged.rules.push(rule);
      }
    }
  }
  if (problems.length) throw new RuleFileError('rules', problems);
  return merged;
}

/** The engine the agent runs: built-in rules, then config `rules.files`, with config threshold overrides. */
export async function createRuleEngine(
  config: { files: string[]; thresholds: Record<string, number> },
  catalog: Catalog,
): Promise<RuleEngine> {
  const sets = await builtinRuleSets();
  for (const file of config.files) sets.push({ source: file, set: await loadRuleFile(file) });
  return new RuleEngine(mergeRuleSets(sets), { thresholds: config.thresholds, catalog });
}

/**
 * `posdiag rules check`: validates and compiles one rule file as the agent would load it (after the
 * built-in set, whose thresholds it may use). Problems name the file, the rule (its index in that
 * file) and the key; throws RuleFileError.
 */
export async function checkRuleFile(file: string, catalog: Catalog): Promise<RuleSet> {
  const set = await loadRuleFile(file);
  const options = { source: file, catalog };
  const builtinSets = await builtinRuleSets();
  const builtin = mergeRuleSets(builtinSets);
  if (builtinSets.some(({ source }) => source === resolve(file))) {
    // One of the built-in files: its rules, with every built-in threshold (several families share some).
    new RuleEngine({ ...set, thresholds: builtin.thresholds }, options);
    return set;
  }
  // What mergeRuleSets would refuse, said per rule and key of this file.
  const problems: string[] = [];
  const builtinCodes = new Set(builtin.rules.map((r) => r.code));
  set.rules.forEach((rule, i) => {
    if (builtinCodes.has(rule.code)) problems.push(`rules[${i}] (${rule.code}) code: the built-in rules already define "${rule.code}"`);
  });
  for (const name of Object.keys(set.thresholds)) {
    if (Object.hasOwn(builtin.thresholds, name)) problems.push(`thresholds.${name}: already defined by the built-in rules (move it with config rules.thresholds)`);
  }
  if (set.flapping && builtin.flapping) problems.push('flapping: already defined by the built-in rules (a rule can override it with its own "flapping")');
  try {
    // Compiled on its own so rule indexes in errors are this file's; the built-in thresholds are visible to it.
    new RuleEngine({ ...set, thresholds: { ...builtin.thresholds, ...set.thresholds } }, options);
  } catch (err) {
    if (!(err instanceof RuleFileError)) throw err;
    problems.push(...err.problems);
  }
  if (problems.length) throw new RuleFileError(file, problems);
  return set;
}
