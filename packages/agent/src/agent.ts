/**
 * The composition root: the terminal, the one fault catalog and the data path (pipeline.ts: driver →
 * reading → rules → fault event → report → outbox → uplink), and what uses them: self-tests, the hub's
 * commands, the keypad trigger, the status answer. No logic lives here beyond the wiring.
 */
import { systemClock, type Clock } from 'posdiag-protocol';
import { AGENT_VERSION } from './version.js';
import type { Readings } from './core/readings.js';
import { resolveTerminal, type TerminalIdentity } from './core/terminal-identity.js';
import { parseDuration, type Config } from './config/schema.js';
import { FAULT_CATALOG } from './devices/catalog.js';
import type { DriverOverrides } from './devices/family.js';
import type { Driver } from './drivers/contract.js';
import type { Catalog } from './faults/catalog.js';
import type { FiringFault } from './faults/types.js';
import type { Monitor } from './rules/monitor.js';
import type { SelfTestLevel } from './self-test/self-test.js';
import type { Prompter } from './self-test/self-test-prompts.js';
import { withoutMerchantHints } from './self-test/merchant-hints.js';
import { runSelfTestSession } from './self-test/self-test-session.js';
import { pollForSelfTest } from './self-test/standalone-self-test.js';
import { SelfTestCoordinator, type SelfTestRun } from './self-test/self-test-coordinator.js';
import { SelfTestAfterFault } from './self-test/after-fault.js';
import { families } from './devices/index.js';
import { startKeypadTrigger } from './control/keypad/keypad-trigger.js';
import type { LogFileHealth } from './log/file-logger.js';
import type { Logger } from './log/logger.js';
import type { LogTailSnapshot } from './log-line/tail-snapshot.js';
import { buildBundle } from './bundle/bundle.js';
import { createPipeline } from './pipeline.js';
import { buildSelfTestReport } from './report/builder.js';
import { executeHubCommand } from './report/hub-commands.js';
import type { Outbox, OutboxStats } from './report/outbox-contract.js';
import type { Locale, LocalizedText, SelfTestResult } from 'posdiag-protocol';
import type { UplinkDelivery } from './report/uplink.js';
import type { LockState, TerminalLock } from './repair/terminal-lock.js';
import { readWorkOrder, writeWorkOrder, type WorkOrder } from './repair/work-order.js';
import { swapAcceptance } from './repair/swap-acceptance.js';
import { honourSwapReenrolment } from './repair/swap-marker.js';

export interface AgentOptions extends DriverOverrides {
  config: Config;
  log: Logger;
  /** The file `log` writes to, when it is one: its failures raise agent.log_degraded; its tail is served. */
  logFile?: LogFileHealth;
  clock?: Clock;
}

export interface Agent {
  /** Starts polling, heartbeats and the uplink. */
  start(): void;
  /**
   * Starts a self-test now (SPEC §6); `record` also sends it to the hub as a `self_test` report.
   * Throws SelfTestBusyError while another one runs.
   */
  startSelfTest(options: SelfTestOptions): SelfTestRun;
  lastSelfTest(): { testId: string; result: SelfTestResult } | undefined;
  /** Live readings and the faults firing now. */
  status(): AgentStatus;
  /** The latest log lines the daemon holds in memory (those not in the file marked); none without a log file. */
  logTail(): LogTailSnapshot | undefined;
  readonly monitor: Monitor;
  readonly outbox: Outbox;
  /** Its drivers, in the families' order: where the control API's relays go (a printer the payment app relays). */
  readonly drivers: readonly Driver[];
  /** The fault catalog the rules, reports and self-tests of this agent read. */
  readonly catalog: Catalog;
  /** The hub's lock on the terminal (its state, and who hears it change: the control API's `lock` event). */
  readonly lock: Pick<TerminalLock, 'state' | 'onChange'>;
  /** The work order the hub last told of, or null. */
  workOrder(): WorkOrder | null;
  /** Stops everything and waits until every recorded report is on disk. */
  stop(): Promise<void>;
}

export interface SelfTestOptions {
  level: SelfTestLevel;
  locale?: Locale;
  record?: boolean;
  commandId?: string | null;
  /** Also print the verdict receipt (keypad, payment app). */
  print?: boolean;
  /** Who answers the interactive level's prompts. */
  prompter?: Prompter;
  onCheck?: (check: SelfTestResult['checks'][number]) => void;
  /** Devices of these kinds are left out (the self-test after a drop does not test the accelerometer that saw it). */
  skipKinds?: readonly string[];
}

export interface AgentStatus {
  terminal: TerminalIdentity;
  at: string;
  readings: Readings;
  faults: FiringFault[];
  outbox: OutboxStats;
  /** The link to the hub; null when no uplink is configured. */
  uplink: UplinkDelivery | null;
  /** The families' merchant hints (a damaged card): no faults, and never sent as one. */
  hints: LocalizedText[];
  lock: LockState;
  workOrder: WorkOrder | null;
}

export async function createAgent(options: AgentOptions): Promise<Agent> {
  const { config, log } = options;
  const clock = options.clock ?? systemClock;
  const terminal = resolveTerminal(config);
  // The one catalog: every part below reads this one (faults/catalog.ts).
  const catalog = FAULT_CATALOG;
  const { logFile, config: _config, log: _log, clock: _clock, ...overrides } = options;
    // Before any driver checks an enrolment: a spare that has just taken over a slot enrols its devices afresh.
    const swap = honourSwapReenrolment(config.paths.state, log);
    // Fault events reach the self-tests after faults, built once the coordinator is.
    let afterFault: SelfTestAfterFault | undefined;
    const pipeline = await createPipeline({
      config,
      catalog,
      terminal,
      clock,
      log,
      overrides,
      ...(logFile ? { logFile } : {}),
      latestSelfTest: () => selfTests.lastResult()?.result ?? null,
      onFaultEvents: (events) => afterFault?.onEvents(events),
    });
    const { drivers, scheduler, engine, monitor, outbox, uplink, lock } = pipeline;
    let workOrder = readWorkOrder(config.paths.state);

  const recordSelfTest = async (result: SelfTestResult, commandId: string | null) => {
    await outbox.record(buildSelfTestReport(result, { terminal, now: clock.now() }, commandId));
  };
    const selfTestSetup = { workOrder: () => workOrder, config, drivers, pollAll: () => pollForSelfTest(scheduler), engine, catalog, clock, terminal, log, firing: () => engine.firing(), ownObservations: () => pipeline.ownObservations() };
    const selfTests = new SelfTestCoordinator(async ({ locale = config.locale, record = false, commandId = null, skipKinds = [], ...request }: SelfTestOptions, testId: string) => {
      const setup = skipKinds.length ? { ...selfTestSetup, drivers: drivers.filter((d) => !skipKinds.includes(d.kind)) } : selfTestSetup;
      const result = await runSelfTestSession(setup, { ...request, locale }, testId);
    const failed = result.checks.filter((c) => !c.passed).map((c) => `${c.device}.${c.name}`);
    // `kind` as in the self_test report, so `posdiag log --kind self_test` finds every run.
    log.info({ kind: 'self_test', testLevel: result.level, verdict: result.passed ? 'passed' : 'failed', ref: result.ref, failed }, 'self-test');
    if (record) await recordSelfTest(result, commandId);
    return result;
  });

  afterFault = new SelfTestAfterFault({
    families,
    drivers,
    readings: () => monitor.readings(),
    firing: () => engine.firing(),
    deviceOf: (code) => catalog.get(code)?.device,
    start: (skipKinds) => selfTests.start({ level: 'quick', record: true, skipKinds }),
    clock,
    log,
  });

  const hints = (now: number) => families.flatMap((f) => f.merchantHints?.(drivers.filter((d) => d.kind === f.kind), now) ?? []);
  const status = (): AgentStatus => ({
    terminal,
    at: new Date(clock.now()).toISOString(),
    readings: monitor.readings(),
    faults: engine.firing(),
    outbox: outbox.stats(),
    uplink: uplink?.delivery() ?? null,
    hints: hints(clock.now()),
    lock: lock.state(),
    workOrder,
  });

  if (swap && swap.acceptance === null && uplink) {
    const acceptance = swapAcceptance({
      stateDir: config.paths.state,
      marker: swap,
      startFullSelfTest: (commandId) => selfTests.start({ level: 'full', record: true, commandId }),
      clock,
      log,
    });
    uplink.onWelcome(() => acceptance.connected());
  }

  uplink?.onCommand((command) => {
    void executeHubCommand(
      command,
      {
        selfTest: (level, commandId) => selfTests.start({ level, record: true, commandId }).result,
        bundle: async (commandId) => {
          const last = selfTests.lastResult();
          // The same picture `posdiag bundle` gets from a running daemon, without the merchant's hints: they stay on the terminal.
          const sent = { ...status(), hints: [] };
          const state = { source: 'daemon', status: sent, selfTests: last ? [{ ...last, result: withoutMerchantHints(last.result) }] : [], outbox: outbox.stats(), logTail: logFile?.memoryTail() ?? null };
          const bundle = await buildBundle(config, state, clock.now(), AGENT_VERSION);
          await uplink.sendBundle(commandId, bundle);
          return { size: bundle.length };
        },
        lock: (reason) => void lock.lock(reason, clock.now()),
        unlock: () => void lock.unlock(),
        workOrder: (next) => {
          writeWorkOrder(config.paths.state, next, clock.now());
          workOrder = next;
        },
        reply: (commandId, ok, detail) => uplink.sendCommandResult(commandId, ok, detail),
      },
      log,
    );
  });

  let stopKeypad = () => {};
  return {
    monitor,
    outbox,
    drivers,
    catalog,
    lock,
    workOrder: () => workOrder,
    startSelfTest: (options) => selfTests.start(options),
    lastSelfTest: () => selfTests.lastResult(),
    status,
    logTail: () => logFile?.memoryTail(),
    start() {
      pipeline.start();
      const keypad = config.control.keypad;
      if (keypad) {
        stopKeypad = startKeypadTrigger({
          device: keypad.device,
          sequence: keypad.sequence,
          withinMs: parseDuration(keypad.within),
          clock,
          log,
          onTrigger: () => {
            log.info({ device: 'keypad' }, 'self-test requested on the keypad');
            try {
              selfTests.start({ level: 'quick', record: true, print: true }).result.catch((err) => log.error({ err }, 'keypad self-test failed'));
            } catch (err) {
              log.warn({ device: 'keypad', err }, 'keypad self-test refused');
            }
          },
        });
      }
      log.info({ terminal: terminal.id, drivers: drivers.map((d) => d.name), uplink: config.uplink?.url ?? null }, 'agent started');
    },
    async stop() {
      stopKeypad();
      afterFault?.stop();
      await pipeline.stop();
      log.info({}, 'agent stopped');
    },
  };
}
