import type { Locale } from 'posdiag-protocol';
import { uiText } from '../../core/ui-text.js';
import type { Driver } from '../../drivers/contract.js';
import { askWithin, type Prompter } from '../../self-test/self-test-prompts.js';
import { testReceiptLines } from '../../self-test/self-test-receipt.js';
import { withDeadline, type SelfTestCheck, type StepContext } from '../../self-test/self-test-steps.js';
import type { FamilySelfTest } from '../family.js';
import type { PrinterConfig } from './config.js';
import type { ReceiptResult } from './printer-receipt-result.js';
import { isReceiptPrinter, type ReceiptPrinter } from './receipt-printer.js';

/**
 * The full level prints a test receipt with a cut and judges the printer by the status it reports
 * afterwards; the interactive level then asks whether the receipt is legible. A configured printer
 * whose driver cannot print fails the receipt check rather than leaving it out.
 */
export const selfTest: FamilySelfTest<PrinterConfig> = {
  async full({ drivers, terminalId, prompter, step, decide }) {
    const printer = drivers.find(isReceiptPrinter);
    if (!printer) {
      const mute = drivers[0];
      if (mute) decide(cannotPrintCheck(mute, step.locale));
      return;
    }
    const receipt = await printTestReceipt(printer, terminalId, step);
    decide(receipt);
    if (prompter && receipt.passed) decide(await askLegible(printer.name, prompter, step));
  },
};

async function printTestReceipt(printer: Driver & ReceiptPrinter, terminalId: string, ctx: StepContext): Promise<SelfTestCheck> {
  const w = uiText(ctx.locale).detail;
  const check = (passed: boolean, detail: string): SelfTestCheck => ({ device: printer.name, name: 'receipt', passed, detail });
  const lines = testReceiptLines(terminalId, new Date(ctx.clock.now()), ctx.locale);
  let printed: ReceiptResult;
  try {
    printed = await withDeadline(ctx.clock, printer.timeoutMs, (signal) => printer.printReceipt(lines, signal));
  } catch (err) {
    return check(false, `${w.noAnswer}: ${(err as Error).message}`);
  }
  if (printed.ok) return check(true, w.printed);
  // A fault names the cause best; else the driver's own reason the receipt was not sent, if it gave one.
  const why = printed.observation.evidence?.['printer.receipt_error'];
  return check(false, ctx.faultSummary(printed.observation.readings, 'printer') || (why ? `${w.notPrinted}: ${why}` : w.notPrinted));
}

function cannotPrintCheck(printer: Driver, locale: Locale): SelfTestCheck {
  return { device: printer.name, name: 'receipt', passed: false, detail: uiText(locale).detail.cannotPrint };
}

/** "Is the receipt legible?" — yes passes, no fails, silence fails with "no answer". */
async function askLegible(printerName: string, prompter: Prompter, ctx: StepContext): Promise<SelfTestCheck> {
  const w = uiText(ctx.locale).detail;
  const answer = await askWithin(prompter, { promptId: ctx.newPromptId(), text: w.legibleQuestion, kind: 'yes_no' }, ctx.answerTimeoutMs, ctx.clock);
  const detail = answer === undefined ? w.noAnswer : answer ? w.legible : w.illegible;
  return { device: printerName, name: 'legible', passed: answer === true, detail };
}
