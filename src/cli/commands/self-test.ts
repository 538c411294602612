import { UsageError } from '../args.js';
import { defineCommand, EXIT } from '../command.js';
import { configFlag, loadConfigFlag } from '../config-flag.js';
import { stderrLogger } from '../stderr-logger.js';
import { systemClock } from '../../core/clock.js';
import { standaloneSelfTest } from '../../diagnostics/standalone-self-test.js';
import { ControlRequestError, requestDaemon } from '../../control/client.js';
import { selfTestResultSchema, type SelfTestResult } from '../../report/schema.js';

const WORDS = {
  en: { passed: 'PASSED', failed: 'FAILED', verdict: 'Self-test', remedy: 'What to do', auto: '(done automatically)', inhibited: 'explained by' },
  'zh-CN': { passed: '通过', failed: '未通过', verdict: '自检', remedy: '处理方法', auto: '（已自动处理）', inhibited: '由此引起：' },
} as const;

/** The technician's and merchant's view: each check, then what to do, then the verdict. */
export function formatSelfTest(result: SelfTestResult, lang: 'en' | 'zh-CN'): string {
  const w = WORDS[lang];
  const lines = [`${w.verdict} (${result.level}) — ${result.terminal.id} ${result.terminal.model} SN ${result.terminal.serial}`];
  for (const check of result.checks) lines.push(`  ${check.passed ? '✓' : '✗'} ${check.device.padEnd(12)} ${check.name.padEnd(8)} ${check.detail}`);
  const live = result.faults.filter((f) => f.inhibitedBy === null);
  for (const fault of live) {
    lines.push('', `  ${fault.code}${fault.instance ? ` [${fault.instance}]` : ''} — ${fault.severity} (${fault.category})`);
    fault.remediation.forEach((step, i) => lines.push(`    ${i + 1}. ${step.text}${step.automatic ? ` ${w.auto}` : ''}`));
  }
  for (const fault of result.faults.filter((f) => f.inhibitedBy !== null)) lines.push(`  · ${fault.code} — ${w.inhibited} ${fault.inhibitedBy}`);
  lines.push('', `${w.verdict}: ${result.passed ? w.passed : w.failed}`);
  return lines.join('\n') + '\n';
}

export const selfTestCommand = defineCommand({
  name: 'self-test',
  usage: 'posdiag self-test [--level quick] [--config FILE] [--json] [--lang zh-CN|en]',
  summary:
    'Test the terminal now: one poll of every configured device and every fault that holds right now.\n' +
    'Exit 0 when every check passed, 1 when one failed. The quick level uses no paper. When the daemon runs\n' +
    '(control socket from the config), it runs the test and reports it to the hub; otherwise it runs in-process.',
  flags: {
    level: { type: 'string', description: 'quick (non-invasive); full and interactive are not available yet', choices: ['quick', 'full', 'interactive'] },
    config: configFlag,
    json: { type: 'boolean', description: 'print the result as one JSON document (SPEC §6)' },
    lang: { type: 'string', description: 'language of the human output (default: the config locale)', choices: ['zh-CN', 'en'] },
    print: { type: 'boolean', description: 'also print the verdict on the receipt printer (not available yet)' },
  },
  async run(flags, _positional, io) {
    if (flags.level && flags.level !== 'quick') throw new UsageError(`--level ${flags.level} is not available in this version; use --level quick`);
    if (flags.print) throw new UsageError('--print is not available in this version');
    const config = loadConfigFlag(flags.config);
    const locale = (flags.lang as 'en' | 'zh-CN' | undefined) ?? config.locale;
    let fromDaemon: unknown;
    try {
      fromDaemon = await requestDaemon(config.control.socket, 'self_test', { level: 'quick', locale }, (line) => {
        if (!flags.json && 'event' in line && line.event === 'check') io.stderr(`  … ${line.check.device}: ${line.check.passed ? 'ok' : line.check.detail}\n`);
      });
    } catch (err) {
      if (!(err instanceof ControlRequestError && err.code === 'busy')) throw err;
      io.stderr(`posdiag self-test: busy: ${err.message}; try again when it has finished\n`);
      return EXIT.busy;
    }
    const result = fromDaemon
      ? selfTestResultSchema.parse(fromDaemon)
      : await standaloneSelfTest({ config, log: stderrLogger(process.env.POSDIAG_LOG_LEVEL ?? 'error'), clock: systemClock, locale });
    io.stdout(flags.json ? JSON.stringify(result, null, 2) + '\n' : formatSelfTest(result, locale));
    return result.passed ? EXIT.ok : EXIT.failed;
  },
});
