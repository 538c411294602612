import { fstatSync } from 'node:fs';
import { type CliIo, defineCommand, EXIT, type ParsedFlags, UsageError } from 'posdiag-protocol/cli';
import { configFlag, loadAgentConfig } from '../config-flag.js';
import { stderrLogger } from '../stderr-logger.js';
import { systemClock } from 'posdiag-protocol';
import { LOCALES, type Locale } from 'posdiag-protocol';
import { checkWord, padColumns, uiText } from '../../core/ui-text.js';
import { deviceWord } from '../../devices/words.js';
import type { SelfTestLevel } from '../../self-test/self-test.js';
import type { Prompter } from '../../self-test/self-test-prompts.js';
import type { SelfTestCheck } from '../../self-test/self-test-steps.js';
import { canPrompt, ttyPrompter } from '../../self-test/self-test-tty-prompter.js';
import { FAULT_CATALOG } from '../../devices/catalog.js';
import { standaloneSelfTest } from '../../self-test/standalone-self-test.js';
import { ControlRequestError, requestDaemon } from '../../control/client.js';
import { selfTestResultSchema, type SelfTestResult } from 'posdiag-protocol';

/** One check, as it runs (and in the summary when the progress lines were not seen). */
export function formatCheck(check: SelfTestCheck, locale: Locale): string {
  const device = padColumns(deviceWord(check.device, locale), 12);
  const name = padColumns(checkWord(check.name, locale), 8);
  return `  ${check.passed ? '✓' : '✗'} ${device} ${name} ${check.detail}`;
}

/**
 * The technician's and merchant's view: each check, then what to do, then the verdict and the reference.
 * `checksShown`: the progress lines already reached the same screen or file, so the checks are not
 * listed a second time.
 */
export function formatSelfTest(result: SelfTestResult, locale: Locale, checksShown = false): string {
  const t = uiText(locale);
  const lines = [t.selfTest.title(t.levels[result.level], result.terminal)];
  if (!checksShown) for (const check of result.checks) lines.push(formatCheck(check, locale));
  const live = result.faults.filter((f) => f.inhibitedBy === null);
  for (const fault of live) {
    lines.push('', `  ${fault.code}${fault.instance ? ` [${fault.instance}]` : ''} — ${t.severityOf(t.severities[fault.severity], t.categories[fault.category])}`);
    fault.remediation.forEach((step, i) => lines.push(`    ${i + 1}. ${step.text}${step.automatic ? ` ${t.automatic}` : ''}`));
  }
  for (const fault of result.faults.filter((f) => f.inhibitedBy !== null)) lines.push(`  · ${fault.code} — ${t.inhibitedBy(fault.inhibitedBy!)}`);
  lines.push('', `${t.selfTest.verdict}: ${result.passed ? t.selfTest.passed : t.selfTest.failed}`);
  if (result.ref) lines.push(`${t.selfTest.ref}: ${result.ref}`);
  return lines.join('\n') + '\n';
}

/** Whether stdout and stderr are one open file (the same terminal, or `2>&1`): whoever reads one reads both. */
function stdoutIsStderr(): boolean {
  try {
    const out = fstatSync(1);
    const err = fstatSync(2);
    return out.dev === err.dev && out.ino === err.ino;
  } catch {
    return false;
  }
}

const flags = {
  level: {
    type: 'string',
    description: 'quick (non-invasive, the default), full (also prints a test receipt, TLS, modem) or interactive (also asks you to swipe a card and check the receipt; needs a terminal)',
    choices: ['quick', 'full', 'interactive'],
  },
  config: configFlag,
  json: { type: 'boolean', description: 'print the result as one JSON document (SPEC §6)' },
  lang: { type: 'string', description: 'language of the human output (default: the config locale)', choices: LOCALES },
  print: { type: 'boolean', description: 'also print the verdict on the receipt printer' },
} as const;

export interface SelfTestDeps {
  /** Answers the interactive level's prompts; by default the terminal on stdin/stderr. */
  prompter?: Prompter;
  /** Whether stdin is a terminal; by default process.stdin's. */
  stdinIsTTY?: boolean;
  /** Whether the progress lines (stderr) land where the summary (stdout) does; by default not. */
  progressOnStdout?: boolean;
}

/** The command's body with its terminal injectable, so tests can answer prompts in-process. */
export async function selfTestMain(f: ParsedFlags<typeof flags>, io: CliIo, deps: SelfTestDeps = {}): Promise<number> {
  const level = (f.level ?? 'quick') as SelfTestLevel;
  const interactive = level === 'interactive';
  if (interactive && !deps.prompter && !canPrompt({ isTTY: deps.stdinIsTTY ?? process.stdin.isTTY })) {
    throw new UsageError('--level interactive asks questions and needs a terminal on stdin; use --level full');
  }
  const config = await loadAgentConfig(f.config);
  const locale = (f.lang as Locale | undefined) ?? config.locale;
  const prompter = interactive ? (deps.prompter ?? ttyPrompter(process.stdin, process.stderr)) : undefined;
  const progress = (check: SelfTestCheck) => {
    if (!f.json) io.stderr(formatCheck(check, locale) + '\n');
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
        catalog: FAULT_CATALOG,
        log: stderrLogger(process.env.POSDIAG_LOG_LEVEL ?? 'error'),
        clock: systemClock,
        level,
        locale,
        print: f.print === true,
        onCheck: progress,
        ...(prompter ? { prompter } : {}),
      });
  io.stdout(f.json ? JSON.stringify(result, null, 2) + '\n' : formatSelfTest(result, locale, deps.progressOnStdout === true));
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
  run: (f, _positional, io) => selfTestMain(f, io, { progressOnStdout: stdoutIsStderr() }),
});
