import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadDefaultRules } from '../../src/rules/rule-files.js';
import { runRuleTestFile } from '../../src/rules/rule-tests.js';
import { FAULT_CATALOG } from '../../src/devices/catalog.js';

/**
 * The built-in rules against every fixtures/rules/*.json (promtool-style rule tests, run by the same
 * runner as `posdiag rules test`). The shipped rule set has a test for every rule.
 */

const FIXTURE_DIR = fileURLToPath(new URL('../../fixtures/rules/', import.meta.url));
const files = readdirSync(FIXTURE_DIR).filter((f) => f.endsWith('.json')).sort();

describe('rule fixtures', () => {
  for (const file of files) {
    it(file, async () => {
      const result = await runRuleTestFile(FIXTURE_DIR + file, FAULT_CATALOG);
      expect(result.failures).toEqual([]);
    });
  }

  it('test every rule of the default set', async () => {
    const tested = new Set<string>();
    for (const file of files) for (const code of (await runRuleTestFile(FIXTURE_DIR + file, FAULT_CATALOG)).codes) tested.add(code);
    const untested = (await loadDefaultRules()).rules.map((r) => r.code).filter((code) => !tested.has(code));
    expect(untested).toEqual([]);
  });
});
