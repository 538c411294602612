/**
 * The composition root: builds every part from the config and wires the one-way flow
 * driver → reading → rule engine → fault event → report → outbox → uplink → hub. No logic lives here
 * beyond the wiring.
 */
import { join } from 'node:path';
import { systemClock, type Clock } from './core/clock.js';
import { AGENT_VERSION } from './version.js';
import { repeatEvery } from './core/repeat.js';
import type { Observation, Readings } from './core/readings.js';
import { resolveTerminal, type TerminalIdentity } from './core/terminal-identity.js';
import { parseDuration, type Config } from './config/schema.js';
import { countWear } from './maintenance/count-wear.js';
import { LifetimeCounters } from './maintenance/lifetime-counters.js';
import { Monitor } from './rules/monitor.js';
import { ReadingHistory } from './rules/reading-history.js';
import { faultKey } from './rules/rule-engine.js';
import { createRuleEngine } from './rules/rule-files.js';
import { FAULT_CATALOG } from './devices/catalog.js';
import type { Catalog } from './faults/catalog.js';
import type { SelfTestLevel } from './self-test/self-test.js';
import type { Prompter } from './self-test/self-test-prompts.js';
import { runSelfTestSession } from './self-test/self-test-session.js';
import { pollForSelfTest } from './self-test/standalone-self-test.js';
import { SelfTestCoordinator, type SelfTestRun } from './self-test/self-test-coordinator.js';
import type { FiringFault } from './faults/types.js';
import type { Driver } from './drivers/contract.js';
import type { DriverOverrides } from './devices/family.js';
import { createDrivers } from './devices/registry.js';
import { Scheduler } from './drivers/scheduler.js';
import { startKeypadTrigger } from './drivers/keypad/keypad-trigger.js';
import { ClockSkewTracker } from './drivers/system/clock-skew.js';
import type { LogFileHealth } from './log/file-logger.js';
import type { Logger } from './log/logger.js';
import type { LogTailSnapshot } from './log-line/tail-snapshot.js';
import { buildBundle } from './bundle/bundle.js';
import { buildSelfTestReport } from './report/builder.js';
import { FaultReporter } from './report/fault-reporter.js';
import { Heartbeats } from './report/heartbeats.js';
import { executeHubCommand } from './report/hub-commands.js';
import { openOutbox } from './report/outbox.js';
import type { Outbox, OutboxStats } from './report/outbox-contract.js';
import type { Locale, SelfTestResult } from 'posdiag-protocol';
import { Uplink, type UplinkDelivery } from './report/uplink.js';
import { readUplinkTlsFiles } from './report/uplink/tls-files.js';

const MAINTENANCE_INTERVAL_MS = 5 * 60_000;

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
  /** The fault catalog the rules, reports and self-tests of this agent read. */
  readonly catalog: Catalog;
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
}

export interface AgentStatus {
  terminal: TerminalIdentity;
  at: string;
  readings: Readings;
  faults: FiringFault[];
  outbox: OutboxStats;
  /** The link to the hub; null when no uplink is configured. */
  uplink: UplinkDelivery | null;
}

export async function createAgent(options: AgentOptions): Promise<Agent> {
  const { config, log } = options;
  const clock = options.clock ?? systemClock;
  const terminal = resolveTerminal(config);
  // The one catalog: every part below reads this one (faults/catalog.ts).
  const catalog = FAULT_CATALOG;
  const engine = await createRuleEngine(config.rules, catalog);
  const outbox = await openOutbox({ dir: join(config.paths.state, 'outbox'), ...config.outbox, clock, log: log.child({ component: 'outbox' }) });

  const history = new ReadingHistory();
  const counters = await LifetimeCounters.open(config.paths.state);
  if (counters.loadProblem) log.warn({ component: 'counters', problem: counters.loadProblem }, 'lifetime counters started afresh');
  const reporter = new FaultReporter({
    outbox,
    catalog,
    terminal,
    clock,
    log,
    identity: (kind) => monitor.identity(kind),
    stepsTried: (device, event) => monitor.stepsTried(device, event),
    repairEvidence: { readingsAround: (onset, device) => history.around(onset, device), latestSelfTest: () => selfTests.lastResult()?.result ?? null },
  });
  const monitor = new Monitor(engine, (events) => void reporter.report(events), history);
  const observeAgent = (storage: 'disk' | 'memory') => monitor.observe('agent', { readings: { 'agent.storage': storage } }, clock.now());
  outbox.onStorageChange((storage, error) => {
    log[storage === 'memory' ? 'error' : 'info']({ device: 'agent', storage, err: error }, `outbox storage: ${storage}`);
    observeAgent(storage);
  });
  // A source of its own: the log's storage must not replace the outbox's reading (and vice versa).
  const observeLog = (storage: 'disk' | 'memory') => monitor.observe('agent-log', { readings: { 'agent.log_storage': storage } }, clock.now());
  options.logFile?.onStorageChange(({ storage, error, lost }) => {
    log[storage === 'memory' ? 'error' : 'info']({ device: 'agent', storage, err: error, lost }, `diagnostic log storage: ${storage}`);
    observeLog(storage);
  });

  // The hub's clock (its welcome) is the reference for system.clock_skew_s.
  const clockSkew = new ClockSkewTracker({ clock });
  const drivers = createDrivers(config, { clock, log }, { clockSkew, ...options });
  const stopCountingWear = countWear(drivers, counters);
  const scheduler = new Scheduler({
    drivers,
    clock,
    log: log.child({ component: 'scheduler' }),
    onObservation: (driver, observation, at) => observe(driver, observation, at),
  });
  const observe = (driver: Driver, observation: Observation, at: number) => {
    for (const problem of observation.problems ?? []) log.warn({ device: driver.kind, reading: problem.reading }, problem.message);
    monitor.observe(driver.name, observation, at);
    counters.observe(monitor.readings(), at);
  };

  const recordSelfTest = async (result: SelfTestResult, commandId: string | null) => {
    await outbox.record(buildSelfTestReport(result, { terminal, now: clock.now() }, commandId));
  };
  const selfTestSetup = { config, drivers, pollAll: () => pollForSelfTest(scheduler), engine, catalog, clock, terminal, log, firing: () => engine.firing() };
  const selfTests = new SelfTestCoordinator(async ({ locale = config.locale, record = false, commandId = null, ...request }: SelfTestOptions, testId: string) => {
    const result = await runSelfTestSession(selfTestSetup, { ...request, locale }, testId);
    const failed = result.checks.filter((c) => !c.passed).map((c) => `${c.device}.${c.name}`);
    // `kind` as in the self_test report, so `posdiag log --kind self_test` finds every run.
    log.info({ kind: 'self_test', testLevel: result.level, verdict: result.passed ? 'passed' : 'failed', ref: result.ref, failed }, 'self-test');
    if (record) await recordSelfTest(result, commandId);
    return result;
  });

  const status = (): AgentStatus => ({ terminal, at: new Date(clock.now()).toISOString(), readings: monitor.readings(), faults: engine.firing(), outbox: outbox.stats(), uplink: uplink?.delivery() ?? null });

  const uplink = config.uplink
    ? new Uplink({
        url: config.uplink.url,
        terminal: terminal.id,
        ...(config.uplink.token ? { token: config.uplink.token } : {}),
        ...readUplinkTlsFiles(config.uplink),
        outbox,
        clock,
        log: log.child({ component: 'uplink' }),
        agentVersion: AGENT_VERSION,
      })
    : undefined;
  uplink?.onWelcome((serverTime) => clockSkew.observeText('hub', serverTime));
  uplink?.onCommand((command) => {
    void executeHubCommand(
      command,
      {
        selfTest: (level, commandId) => selfTests.start({ level, record: true, commandId }).result,
        bundle: async (commandId) => {
          const last = selfTests.lastResult();
          // The same picture `posdiag bundle` gets from a running daemon.
          const state = { source: 'daemon', status: status(), selfTests: last ? [last] : [], outbox: outbox.stats(), logTail: options.logFile?.memoryTail() ?? null };
          const bundle = await buildBundle(config, state, clock.now(), AGENT_VERSION);
          await uplink.sendBundle(commandId, bundle);
          return { size: bundle.length };
        },
        reply: (commandId, ok, detail) => uplink.sendCommandResult(commandId, ok, detail),
      },
      log,
    );
  });

  // Maintenance trends move over days: feed them to the rules and persist the counters now and then.
  const feedMaintenance = () => monitor.observe('maintenance', { readings: counters.readings() }, clock.now());
  const maintenance = async () => {
    feedMaintenance();
    await counters.save();
  };
  let stopMaintenance = () => {};
  let stopKeypad = () => {};
  const heartbeats = new Heartbeats({ outbox, terminal, clock, log, openFaults: () => engine.firing().map((f) => faultKey(f.code, f.instance)) });

  return {
    monitor,
    outbox,
    catalog,
    startSelfTest: (options) => selfTests.start(options),
    lastSelfTest: () => selfTests.lastResult(),
    status,
    logTail: () => options.logFile?.memoryTail(),
    start() {
      observeAgent(outbox.stats().storage);
      if (options.logFile) observeLog(options.logFile.storage());
      scheduler.start();
      uplink?.start();
      heartbeats.start(parseDuration(config.heartbeat));
      feedMaintenance();
      stopMaintenance = repeatEvery(clock, MAINTENANCE_INTERVAL_MS, maintenance, log);
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
      heartbeats.stop();
      stopMaintenance();
      stopKeypad();
      stopCountingWear();
      await scheduler.stop();
      await reporter.drain();
      await uplink?.stop();
      await Promise.allSettled(drivers.map((d) => d.close()));
      await counters.save().catch((err) => log.error({ component: 'counters', err }, 'could not save lifetime counters'));
      await outbox.close();
      log.info({}, 'agent stopped');
    },
  };
}
