/**
 * The one data path of the agent, wired in the order data moves through it:
 *
 *   driver → reading → rules → fault event → report → outbox → uplink
 *
 * and beside it what the drivers' device events feed: wear into the lifetime counters (counted once,
 * by the family that wears) and reference times into the clock-skew tracker (with the hub's welcome),
 * whose `system.clock_skew_s` enters the monitor as a source of its own, like the agent's own state
 * and the maintenance readings and the terminal's lock (`security.locked`, judged by the usb-guard
 * family's rules with the terminal's other security faults). Everything is built here and nothing else writes into it; agent.ts
 * composes the pipeline with what uses it (self-tests, hub commands, status, keypad).
 */
import { join } from 'node:path';
import type { Clock } from 'posdiag-protocol';
import type { Observation } from './core/readings.js';
import { repeatEvery } from './core/repeat.js';
import { terminalInventory, type TerminalIdentity } from './core/terminal-identity.js';
import { parseDuration, type Config } from './config/schema.js';
import type { DriverOverrides } from './devices/family.js';
import { createDrivers } from './devices/registry.js';
import type { DeviceEvent, Driver } from './drivers/contract.js';
import { Scheduler } from './drivers/scheduler.js';
import { ClockSkewTracker } from './devices/system/clock-skew.js';
import type { Catalog } from './faults/catalog.js';
import type { FaultEvent } from './faults/types.js';
import type { LogFileHealth } from './log/file-logger.js';
import type { Logger } from './log/logger.js';
import { LifetimeCounters } from './maintenance/lifetime-counters.js';
import { FaultReporter } from './report/fault-reporter.js';
import { Heartbeats } from './report/heartbeats.js';
import { openOutbox } from './report/outbox.js';
import type { Outbox } from './report/outbox-contract.js';
import { Uplink } from './report/uplink.js';
import { readUplinkTlsFiles } from './report/uplink/tls-files.js';
import { TerminalLock } from './repair/terminal-lock.js';
import { Monitor } from './rules/monitor.js';
import { ReadingHistory } from './rules/reading-history.js';
import { faultKey, type RuleEngine } from './rules/rule-engine.js';
import { createRuleEngine } from './rules/rule-files.js';
import { AGENT_VERSION } from './version.js';
import type { SelfTestResult } from 'posdiag-protocol';

/** Maintenance trends move over days: they reach the rules, and the counters the disk, this often. */
const MAINTENANCE_INTERVAL_MS = 5 * 60_000;
/**
 * Clock skew is judged at each reference and this often between them, so a wall-clock jump after the
 * last reference reaches the rules within one interval (the system family's default poll).
 */
export const CLOCK_SKEW_INTERVAL_MS = 30_000;

export interface PipelineOptions {
  config: Config;
  catalog: Catalog;
  terminal: TerminalIdentity;
  clock: Clock;
  log: Logger;
  /** Seams for the drivers (the demo's emulators, tests). */
  overrides: DriverOverrides;
  /** The file `log` writes to, when it is one: its storage is a reading (agent.log_degraded). */
  logFile?: LogFileHealth;
  /** The latest self-test, for repair requests. */
  latestSelfTest: () => SelfTestResult | null;
  /** Hears every fault event after the reporter took it (agent.ts: the self-tests after faults). */
  onFaultEvents?: (events: FaultEvent[]) => void;
  /** The monotonic clock clock skew carries a reference forward on: performance.now() unless a test drives its own. */
  monotonic?: () => number;
}

export interface Pipeline {
  readonly drivers: Driver[];
  readonly scheduler: Scheduler;
  readonly engine: RuleEngine;
  readonly monitor: Monitor;
  readonly outbox: Outbox;
  /** Absent when no uplink is configured. */
  readonly uplink: Uplink | undefined;
  /** The hub's lock on the terminal: its state enters the monitor as `security.locked`. */
  readonly lock: TerminalLock;
  /**
   * What a self-test judges beside its own driver polls: the clock skew this pipeline measures (the
   * system driver read it before the pipeline did). Not the agent's storage or the maintenance
   * readings: those are the daemon's rules' to judge, and never failed a device's self-test check.
   */
  ownObservations(): Map<string, Observation>;
  start(): void;
  /** Stops polling, reporting and the link, and waits until every recorded report is on disk. */
  stop(): Promise<void>;
}

/** The monitor source of the clock skew this file measures. */
const CLOCK_SKEW_SOURCE = 'clock-skew';

export async function createPipeline(options: PipelineOptions): Promise<Pipeline> {
  const { config, catalog, terminal, clock, log } = options;

  // driver → reading: the configured drivers, asked for reference times because this file measures clock skew.
  const drivers = createDrivers(config, { clock, log }, { ...options.overrides, clockReferences: true });

  // reading → rules: one picture of the terminal, judged at each change.
  const engine = await createRuleEngine(config.rules, catalog);
  const history = new ReadingHistory();

  // fault event → report → outbox.
  const outbox = await openOutbox({ dir: join(config.paths.state, 'outbox'), ...config.outbox, clock, log: log.child({ component: 'outbox' }) });
  const reporter = new FaultReporter({
    outbox,
    catalog,
    terminal,
    clock,
    log,
    identity: (kind) => monitor.identity(kind),
    stepsTried: (device, event) => monitor.stepsTried(device, event),
    repairEvidence: { readingsAround: (onset, device) => history.around(onset, device), latestSelfTest: options.latestSelfTest },
  });
  const monitor = new Monitor(
    engine,
    (events) => {
      void reporter.report(events);
      options.onFaultEvents?.(events);
    },
    history,
  );

  // Clock skew: a source of its own, from the reference times (a target's HTTP Date below, the hub's welcome
  // further down), judged at each one and every CLOCK_SKEW_INTERVAL_MS once started.
  const clockSkew = new ClockSkewTracker({ clock, monotonic: options.monotonic });
  const observeClockSkew = () => monitor.observe(CLOCK_SKEW_SOURCE, clockSkew.observation(), clock.now());

  // Wear: counted once, each family's by its own wear (devices/family.ts), from the device events and the readings.
  const counters = await LifetimeCounters.open(config.paths.state);
  if (counters.loadProblem) log.warn({ component: 'counters', problem: counters.loadProblem }, 'lifetime counters started afresh');
  const onDeviceEvent = (event: DeviceEvent) => {
    if (event.type === 'clock_reference') {
      clockSkew.observe(event.source, event.referenceMs, event.localAtMs);
      observeClockSkew();
    } else counters.count(event);
  };
  const observeDevice = (driver: Driver, observation: Observation, at: number) => {
    for (const problem of observation.problems ?? []) log.warn({ device: driver.kind, reading: problem.reading }, problem.message);
    monitor.observe(driver.name, observation, at);
    counters.observe(monitor.readings(), at);
  };
  const scheduler = new Scheduler({
    drivers,
    clock,
    log: log.child({ component: 'scheduler' }),
    onObservation: observeDevice,
    onDeviceEvent: (_driver, event) => onDeviceEvent(event),
  });

  // The agent's own state enters as readings too: each a source of its own, so one never replaces another.
  const observeOutbox = (storage: 'disk' | 'memory') => monitor.observe('agent', { readings: { 'agent.storage': storage } }, clock.now());
  outbox.onStorageChange((storage, error) => {
    log[storage === 'memory' ? 'error' : 'info']({ device: 'agent', storage, err: error }, `outbox storage: ${storage}`);
    observeOutbox(storage);
  });
  const observeLog = (storage: 'disk' | 'memory') => monitor.observe('agent-log', { readings: { 'agent.log_storage': storage } }, clock.now());
  options.logFile?.onStorageChange(({ storage, error, lost }) => {
    log[storage === 'memory' ? 'error' : 'info']({ device: 'agent', storage, err: error, lost }, `diagnostic log storage: ${storage}`);
    observeLog(storage);
  });
  // The lock: a source of its own, read from the state dir at start and observed again at each change.
  const lock = new TerminalLock(config.paths.state, clock.now());
  if (lock.state().locked) log.warn({ device: 'system', since: lock.state().since, reason: lock.state().reason }, 'the terminal is locked by the hub');
  const observeLock = () => monitor.observe('lock', { readings: { 'security.locked': lock.state().locked } }, clock.now());
  lock.onChange((state) => {
    log[state.locked ? 'warn' : 'info']({ device: 'system', locked: state.locked, reason: state.reason }, state.locked ? 'the terminal is locked by the hub' : 'the terminal is unlocked');
    observeLock();
  });
  const observeMaintenance = () => monitor.observe('maintenance', { readings: counters.readings() }, clock.now());

  // outbox → uplink; the hub's welcome is a reference time like a target's HTTP Date.
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
        inventory: terminalInventory(terminal),
      })
    : undefined;
  uplink?.onWelcome((serverTime) => {
    if (clockSkew.observeText('hub', serverTime)) observeClockSkew();
  });
  const heartbeats = new Heartbeats({ outbox, terminal, clock, log, openFaults: () => engine.firing().map((f) => faultKey(f.code, f.instance)) });

  let stopRepeats: (() => void)[] = [];
  return {
    drivers,
    scheduler,
    engine,
    monitor,
    outbox,
    uplink,
    lock,
    ownObservations() {
      return new Map([...monitor.observations()].filter(([source]) => source === CLOCK_SKEW_SOURCE));
    },
    start() {
      observeOutbox(outbox.stats().storage);
      if (options.logFile) observeLog(options.logFile.storage());
      observeLock();
      scheduler.start();
      uplink?.start();
      heartbeats.start(parseDuration(config.heartbeat));
      observeMaintenance();
      stopRepeats = [
        repeatEvery(
          clock,
          MAINTENANCE_INTERVAL_MS,
          async () => {
            observeMaintenance();
            await counters.save();
          },
          log,
        ),
        repeatEvery(
          clock,
          CLOCK_SKEW_INTERVAL_MS,
          async () => {
            observeClockSkew();
          },
          log,
        ),
      ];
    },
    async stop() {
      heartbeats.stop();
      for (const stopRepeat of stopRepeats) stopRepeat();
      await scheduler.stop();
      await reporter.drain();
      await uplink?.stop();
      await Promise.allSettled(drivers.map((d) => d.close()));
      await counters.save().catch((err) => log.error({ component: 'counters', err }, 'could not save lifetime counters'));
      await outbox.close();
    },
  };
}
