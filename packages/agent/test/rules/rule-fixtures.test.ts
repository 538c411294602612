import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadDefaultRules } from '../../src/rules/rule-files.js';
import { runRuleTestFile } from '../../src/rules/rule-tests.js';
import { FAULT_CATALOG } from '../../src/devices/catalog.js';

/**
 * The built-in rules against every rule test: each device family's (src/devices/<family>/rule-tests/)
 * and those across families (fixtures/rules/), promtool-style, run by the same runner as `posdiag
 * rules test`. The shipped rule set has a test for every rule.
 */

const AGENT_DIR = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURE_DIR = join(AGENT_DIR, 'fixtures/rules');
const DEVICES_DIR = join(AGENT_DIR, 'src/devices');
const jsonIn = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => join(dir, f));
const familyDirs = readdirSync(DEVICES_DIR).map((family) => join(DEVICES_DIR, family, 'rule-tests')).filter((dir) => existsSync(dir));
const files = [...familyDirs.flatMap(jsonIn), ...jsonIn(FIXTURE_DIR)];

describe('rule fixtures', () => {
  for (const file of files) {
    it(relative(AGENT_DIR, file), async () => {
      const result = await runRuleTestFile(file, FAULT_CATALOG);
      expect(result.failures).toEqual([]);
    });
  }

  it('test every rule of the default set', async () => {
    const tested = new Set<string>();
    for (const file of files) for (const code of (await runRuleTestFile(file, FAULT_CATALOG)).codes) tested.add(code);
    const untested = (await loadDefaultRules()).rules.map((r) => r.code).filter((code) => !tested.has(code));
    expect(untested).toEqual([]);
  });
});
