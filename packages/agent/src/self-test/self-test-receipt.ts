import type { Locale } from 'posdiag-protocol';
import { checkWord, localTime, uiText } from '../core/ui-text.js';
import { deviceWord } from '../devices/words.js';
import type { SelfTestResult } from 'posdiag-protocol';
import type { WorkOrder } from '../repair/work-order.js';

/**
 * The two receipts of the self-test, as text lines for the printer driver's `printReceipt` (which
 * encodes them: ASCII, or GB18030 for Chinese). Pure: tests compare the lines.
 */

/** The short reference printed on the verdict: the test id's first 8 hex digits, uppercase. */
export function selfTestRef(testId: string): string {
  return testId.replace(/-/g, '').slice(0, 8).toUpperCase();
}

const RULE = '--------------------------------';
/** A 58 mm roll prints 32 characters a line; a check's detail is cut so each check stays short. */
const MAX_DETAIL = 40;

/** Local wall-clock time, as the merchant reads it: `2026-01-01 09:00`. */
export function receiptTime(at: Date): string {
  return localTime(at).slice(0, '2026-01-01 09:00'.length);
}

/** The full level's test page: every printable ASCII character, and Chinese text for zh-CN. */
export function testReceiptLines(terminalId: string, at: Date, locale: Locale): string[] {
  const w = uiText(locale).receipt;
  const lines = [w.testTitle, `${w.terminal}: ${terminalId}`, `${w.time}: ${receiptTime(at)}`, RULE, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz', '0123456789 !"#$%&\'()*+,-./:;<=>?@'];
  if (w.testChinese) lines.push(w.testChinese);
  lines.push(RULE, w.testEnd);
  return lines;
}

/**
 * The verdict for the merchant: terminal, time, each check, the verdict, the first remedy, the
 * reference, and the open work order's reference and page when the hub has told of one (what the
 * merchant quotes to follow the repair).
 */
export function verdictReceiptLines(result: SelfTestResult, locale: Locale, workOrder: WorkOrder | null = null): string[] {
  const t = uiText(locale);
  const w = t.receipt;
  const lines = [
    w.title,
    `${w.terminal}: ${result.terminal.id}`,
    `${w.time}: ${receiptTime(new Date(result.startedAt))}`,
    `${w.level}: ${t.levels[result.level]}`,
    RULE,
  ];
  for (const check of result.checks) {
    const detail = check.passed ? '' : `: ${check.detail.length > MAX_DETAIL ? `${check.detail.slice(0, MAX_DETAIL - 1)}…` : check.detail}`;
    lines.push(`[${check.passed ? w.checkPassed : w.checkFailed}] ${deviceWord(check.device, locale)} ${checkWord(check.name, locale)}${detail}`);
  }
  lines.push(RULE, `${w.result}: ${result.passed ? t.selfTest.passed : t.selfTest.failed}`);
  if (!result.passed) lines.push(`${w.todo}: ${firstRemedy(result) ?? w.noRemedy}`);
  if (result.ref) lines.push(`${w.ref}: ${result.ref}`);
  if (workOrder) {
    lines.push(`${w.workOrder}: ${workOrder.ref}`);
    // A URL is one unbroken token: the printer wraps it, and nothing here could cut it better.
    if (workOrder.url) lines.push(workOrder.url);
  }
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
