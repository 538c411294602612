import { defineCommand, EXIT, readTextFile, UsageError } from 'posdiag-protocol/cli';
import { FAULT_CATALOG } from '../../devices/catalog.js';
import { checkRuleFile } from '../../rules/rule-files.js';
import { runRuleTestFile } from '../../rules/rule-tests.js';
import { RuleFileError } from '../../rules/rule-schema.js';

/**
 * `posdiag rules check FILE...`: validate rule files (exit 78 naming file, rule and key; 0 when valid).
 * `posdiag rules test FILE...`: run promtool-style rule tests (exit 1 when one fails, 78 when a test
 * or its rule file is invalid). A FILE that cannot be read: exit 66 (or 77), before any is checked.
 */
export const rulesCommand = defineCommand({
  name: 'rules',
  usage: 'posdiag rules check|test FILE...',
  summary:
    'check: validate rule files as the agent would load them, after the built-in rules (exit 78 on an error,\n' +
    'naming the rule and key). test: run rule tests (input series over time, expected faults at given times;\n' +
    'see fixtures/rules/) against the built-in rules plus the test\'s "rules" files (exit 1 when one fails).',
  flags: {},
  async run(_flags, positional, io) {
    const [action, ...files] = positional;
    if ((action !== 'check' && action !== 'test') || files.length === 0) throw new UsageError('expected "check" or "test" and at least one FILE');
    // A file that is not there is missing input (exit 66), not an invalid rule file.
    for (const file of files) readTextFile(file, `cannot read ${file}`);
    let invalid = false;
    let failed = false;
    for (const file of files) {
      try {
        if (action === 'check') {
          const set = await checkRuleFile(file, FAULT_CATALOG);
          io.stdout(`ok   ${file}: ${set.rules.length} rules, ${Object.keys(set.thresholds).length} thresholds\n`);
          continue;
        }
        const result = await runRuleTestFile(file, FAULT_CATALOG);
        if (result.failures.length === 0) {
          io.stdout(`ok   ${file}: ${result.description}\n`);
          continue;
        }
        failed = true;
        io.stdout(`FAIL ${file}: ${result.description}\n${result.failures.map((f) => `  ${f}\n`).join('')}`);
      } catch (err) {
        if (!(err instanceof RuleFileError)) throw err;
        invalid = true;
        io.stderr(err.problems.map((p) => `${err.source}: ${p}\n`).join(''));
      }
    }
    return invalid ? EXIT.config : failed ? EXIT.failed : EXIT.ok;
  },
});
