import type { SelfTestResult } from '../report/schema.js';
import type { Locale } from './self-test.js';

/**
 * The two receipts of the self-test, as text lines for the printer driver's `printReceipt` (which
 * encodes them: ASCII, or GB18030 for Chinese). Pure: tests compare the lines.
 */

/** The short reference printed on the verdict: the test id's first 8 hex digits, uppercase. */
export function selfTestRef(testId: string): string {
  return testId.replace(/-/g, '').slice(0, 8).toUpperCase();
}

const WORDS = {
  en: {
    testTitle: 'PRINTER TEST',
    testEnd: 'If you can read every line, the printer is fine.',
    title: 'SELF-TEST',
    terminal: 'Terminal',
    time: 'Time',
    level: 'Level',
    passed: 'PASSED',
    failed: 'FAILED',
    result: 'Result',
    todo: 'What to do',
    noRemedy: 'Call your service provider and give the reference below.',
    ref: 'Ref',
  },
  'zh-CN': {
    testTitle: '打印测试页',
    testEnd: '如每行都清晰可读，打印机正常。',
    title: '终端自检',
    terminal: '终端',
    time: '时间',
    level: '级别',
    passed: '通过',
    failed: '未通过',
    result: '结果',
    todo: '处理方法',
    noRemedy: '请联系服务商并告知下方参考号。',
    ref: '参考号',
  },
} as const;

const RULE = '--------------------------------';
/** A 58 mm roll prints 32 characters a line; a check's detail is cut so each check stays short. */
const MAX_DETAIL = 40;

/** Local wall-clock time, as the merchant reads it: `2026-01-01 09:00`. */
export function receiptTime(at: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${at.getFullYear()}-${p(at.getMonth() + 1)}-${p(at.getDate())} ${p(at.getHours())}:${p(at.getMinutes())}`;
}

/** The full level's test page: every printable ASCII character, and Chinese text for zh-CN. */
export function testReceiptLines(terminalId: string, at: Date, locale: Locale): string[] {
  const w = WORDS[locale];
  const lines = [w.testTitle, `${w.terminal}: ${terminalId}`, `${w.time}: ${receiptTime(at)}`, RULE, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz', '0123456789 !"#$%&\'()*+,-./:;<=>?@'];
  if (locale === 'zh-CN') lines.push('中文打印测试：商户收银终端');
  lines.push(RULE, w.testEnd);
  return lines;
}

/** The verdict for the merchant: terminal, time, each check, the verdict, the first remedy, the reference. */
export function verdictReceiptLines(result: SelfTestResult, locale: Locale): string[] {
  const w = WORDS[locale];
  const lines = [
    w.title,
    `${w.terminal}: ${result.terminal.id}`,
    `${w.time}: ${receiptTime(new Date(result.startedAt))}`,
    `${w.level}: ${result.level}`,
    RULE,
  ];
  for (const check of result.checks) {
    const detail = check.passed ? '' : `: ${check.detail.length > MAX_DETAIL ? `${check.detail.slice(0, MAX_DETAIL - 1)}…` : check.detail}`;
    lines.push(`[${check.passed ? 'OK' : 'X'}] ${check.device} ${check.name}${detail}`);
  }
  lines.push(RULE, `${w.result}: ${result.passed ? w.passed : w.failed}`);
  if (!result.passed) lines.push(`${w.todo}: ${firstRemedy(result) ?? w.noRemedy}`);
  if (result.ref) lines.push(`${w.ref}: ${result.ref}`);
  return lines;
}

/** The first step the merchant can take for the first fault that no other fault explains. */
export function firstRemedy(result: SelfTestResult): string | undefined {
  for (const fault of result.faults) {
    if (fault.inhibitedBy !== null) continue;
    const step = fault.remediation.find((s) => !s.automatic);
    if (step) return step.text;
  }
  return undefined;
}
