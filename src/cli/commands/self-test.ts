import type { ParsedFlags } from '../args.js';
import { UsageError } from '../args.js';
import { defineCommand, EXIT, type CliIo } from '../command.js';
import { configFlag, loadConfigFlag } from '../config-flag.js';
import { stderrLogger } from '../stderr-logger.js';
import { systemClock } from '../../core/clock.js';
import type { SelfTestLevel } from '../../diagnostics/self-test.js';
import type { Prompter } from '../../diagnostics/self-test-prompts.js';
import type { SelfTestCheck } from '../../diagnostics/self-test-steps.js';
import { canPrompt, ttyPrompter } from '../../diagnostics/self-test-tty-prompter.js';
import { standaloneSelfTest } from '../../diagnostics/standalone-self-test.js';
import { ControlRequestError, requestDaemon } from '../../control/client.js';
import { selfTestResultSchema, type SelfTestResult } from '../../report/schema.js';

type Lang = 'en' | 'zh-CN';

const WORDS = {
  en: { passed: 'PASSED', failed: 'FAILED', verdict: 'Self-test', auto: '(done automatically)', inhibited: 'explained by', ref: 'reference for your service provider' },
  'zh-CN': { passed: '通过', failed: '未通过', verdict: '自检', auto: '（已自动处理）', inhibited: '由此引起：', ref: '服务商查询参考号' },
} as const;

/** One check, as it runs and in the summary. */
export function formatCheck(check: SelfTestCheck): string {
  return `  ${check.passed ? '✓' : '✗'} ${check.device.padEnd(12)} ${check.name.padEnd(8)} ${check.detail}`;
}

/** The technician's and merchant's view: each check, then what to do, then the verdict and the reference. */
export function formatSelfTest(result: SelfTestResult, lang: Lang): string {
  const w = WORDS[lang];
  const lines = [`${w.verdict} (${result.level}) — ${result.terminal.id} ${result.terminal.model} SN ${result.terminal.serial}`];
  for (const check of result.checks) lines.push(formatCheck(check));
  const live = result.faults.filter((f) => f.inhibitedBy === null);
  for (const fault of live) {
    lines.push('', `  ${fault.code}${fault.instance ? ` [${fault.instance}]` : ''} — ${fault.severity} (${fault.category})`);
    fault.remediation.forEach((step, i) => lines.push(`    ${i + 1}. ${step.text}${step.automatic ? ` ${w.auto}` : ''}`));
  }
  for (const fault of result.faults.filter((f) => f.inhibitedBy !== null)) lines.push(`  · ${fault.code} — ${w.inhibited} ${fault.inhibitedBy}`);
  lines.push('', `${w.verdict}: ${result.passed ? w.passed : w.failed}`);
  if (result.ref) lines.push(`${w.ref}: ${result.ref}`);
  return lines.join('\n') + '\n';
}

const flags = {
  level: {
    type: 'string',
    description: 'quick (non-invasive, the default), full (also prints a test receipt, TLS, modem) or interactive (also asks you to swipe a card and check the receipt; needs a terminal)',
    choices: ['quick', 'full', 'interactive'],
  },
  config: configFlag,
  json: { type: 'boolean', description: 'print the result as one JSON document (SPEC §6)' },
  lang: { type: 'string', description: 'language of the human output (default: the config locale)', choices: ['zh-CN', 'en'] },
  print: { type: 'boolean', description: 'also print the verdict on the receipt printer' },
} as const;

export interface SelfTestDeps {
  /** Answers the interactive level's prompts; by default the terminal on stdin/stderr. */
  prompter?: Prompter;
  /** Whether stdin is a terminal; by default process.stdin's. */
  stdinIsTTY?: boolean;
}

/** The command's body with its terminal injectable, so tests can answer prompts in-process. */
export async function selfTestMain(f: ParsedFlags<typeof flags>, io: CliIo, deps: SelfTestDeps = {}): Promise<number> {
  const level = (f.level ?? 'quick') as SelfTestLevel;
  const interactive = level === 'interactive';
  if (interactive && !deps.prompter && !canPrompt({ isTTY: deps.stdinIsTTY ?? process.stdin.isTTY })) {
    throw new UsageError('--level interactive asks questions and needs a terminal on stdin; use --level full');
  }
  const config = loadConfigFlag(f.config);
  const locale = (f.lang as Lang | undefined) ?? config.locale;
  const prompter = interactive ? (deps.prompter ?? ttyPrompter(process.stdin, process.stderr)) : undefined;
  const progress = (check: SelfTestCheck) => {
    if (!f.json) io.stderr(formatCheck(check) + '\n');
  };

  // Prompts the daemon sends are asked here; the ones still open when the test ends are withdrawn.
  const asking = new AbortController();
  let fromDaemon: unknown;
  try {
    fromDaemon = await requestDaemon(config.control.socket, 'self_test', { level, locale, print: f.print === true }, (line, reply) => {
      if (!('event' in line)) return;
      if (line.event === 'check') progress(line.check);
      if (line.event === 'prompt' && prompter) {
        const { promptId, text, kind } = line;
        prompter.ask({ promptId, text, kind }, asking.signal).then(
          (answer) => answer !== undefined && reply.answer(promptId, answer),
          (err: Error) => io.stderr(`posdiag self-test: could not ask: ${err.message}\n`),
        );
      }
    });
  } catch (err) {
    if (!(err instanceof ControlRequestError && err.code === 'busy')) throw err;
    io.stderr(`posdiag self-test: busy: ${err.message}; try again when it has finished\n`);
    return EXIT.busy;
  } finally {
    asking.abort(new Error('the self-test has finished'));
  }
  const result = fromDaemon
    ? selfTestResultSchema.parse(fromDaemon)
    : await standaloneSelfTest({
        config,
        log: stderrLogger(process.env.POSDIAG_LOG_LEVEL ?? 'error'),
        clock: systemClock,
        level,
        locale,
        print: f.print === true,
        onCheck: progress,
        ...(prompter ? { prompter } : {}),
      });
  io.stdout(f.json ? JSON.stringify(result, null, 2) + '\n' : formatSelfTest(result, locale));
  return result.passed ? EXIT.ok : EXIT.failed;
}

export const selfTestCommand = defineCommand({
  name: 'self-test',
  usage: 'posdiag self-test [--level quick|full|interactive] [--config FILE] [--json] [--lang zh-CN|en] [--print]',
  summary:
    'Test the terminal now. quick: one poll of every configured device and every fault that holds right now\n' +
    '(no paper used); full: also a test receipt with cut, a TLS handshake per target, the modem registration;\n' +
    'interactive: also asks you to swipe the test card and whether the receipt is legible.\n' +
    'Exit 0 when every check passed, 1 when one failed. When the daemon runs (control socket from the config)\n' +
    'it runs the test and reports it to the hub; otherwise it runs in-process.',
  flags,
  run: (f, _positional, io) => selfTestMain(f, io),
});
