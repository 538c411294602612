import type { Clock } from 'posdiag-protocol';
import type { Config } from '../config/schema.js';
import type { TerminalIdentity } from '../core/terminal-identity.js';
import type { Driver } from '../drivers/contract.js';
import type { Logger } from '../log/logger.js';
import type { SelfTestResult } from 'posdiag-protocol';
import type { Catalog } from '../faults/catalog.js';
import type { RuleEngine } from '../rules/rule-engine.js';
import type { Prompter } from './self-test-prompts.js';
import { verdictReceiptLines } from './self-test-receipt.js';
import { isReceiptPrinter } from '../devices/printer/receipt-printer.js';
import { withDeadline, type SelfTestCheck } from './self-test-steps.js';
import type { Locale } from 'posdiag-protocol';
import type { WorkOrder } from '../repair/work-order.js';
import { runSelfTest, type RunSelfTestOptions, type SelfTestLevel } from './self-test.js';

/** What a caller asks for: the daemon's control API, its keypad and hub triggers, or the CLI in-process. */
export interface SelfTestRequest {
  level: SelfTestLevel;
  locale: Locale;
  /** Also print the verdict receipt (the keypad, the payment app, `--print`). */
  print?: boolean;
  prompter?: Prompter;
  onCheck?: (check: SelfTestCheck) => void;
}

/** The terminal the test runs on, as the daemon or the in-process CLI has built it. */
export interface SelfTestSetup {
  config: Config;
  drivers: Driver[];
  pollAll: RunSelfTestOptions['pollAll'];
  engine: Pick<RuleEngine, 'active'>;
  catalog: Catalog;
  clock: Clock;
  terminal: TerminalIdentity;
  log: Logger;
  /** The live alerts (the daemon's engine); absent in-process, where nothing has fired yet. */
  firing?: () => readonly { code: string; instance: string | null }[];
  /** The daemon's own sources (the pipeline's); absent in-process, where there is no pipeline. */
  ownObservations?: RunSelfTestOptions['ownObservations'];
  /** The work order the hub last told of: its reference goes on the verdict receipt. */
  workOrder?: () => WorkOrder | null;
}

/** Runs one self-test as requested and, when asked, prints its verdict. */
export async function runSelfTestSession(setup: SelfTestSetup, request: SelfTestRequest, testId: string): Promise<SelfTestResult> {
  const result = await runSelfTest({
    level: request.level,
    testId,
    drivers: setup.drivers,
    pollAll: setup.pollAll,
    engine: setup.engine,
    catalog: setup.catalog,
    clock: setup.clock,
    terminal: setup.terminal,
    locale: request.locale,
    devices: setup.config.devices,
    ...(setup.firing ? { firingAtStart: setup.firing() } : {}),
    ...(setup.ownObservations ? { ownObservations: setup.ownObservations } : {}),
    ...(request.prompter ? { prompter: request.prompter } : {}),
    ...(request.onCheck ? { onCheck: request.onCheck } : {}),
  });
  if (request.print) await printVerdict(setup.drivers, result, request.locale, setup.clock, setup.log, setup.workOrder?.() ?? null);
  return result;
}

/**
 * Prints the verdict receipt. Best effort: a printer that cannot print (the very fault the test may
 * have found) is logged, and the result stands as it is.
 */
export async function printVerdict(drivers: Driver[], result: SelfTestResult, locale: Locale, clock: Clock, log: Logger, workOrder: WorkOrder | null = null): Promise<boolean> {
  const printer = drivers.find(isReceiptPrinter);
  if (!printer) {
    log.warn({ ref: result.ref }, 'no receipt printer configured: the self-test verdict is not printed');
    return false;
  }
  try {
    const printed = await withDeadline(clock, printer.timeoutMs, (signal) => printer.printReceipt(verdictReceiptLines(result, locale, workOrder), signal));
    if (!printed.ok) log.warn({ device: 'printer', ref: result.ref }, 'the self-test verdict may not have printed: the printer reports a problem');
    return printed.ok;
  } catch (err) {
    log.warn({ device: 'printer', ref: result.ref, err }, 'printing the self-test verdict failed');
    return false;
  }
}
