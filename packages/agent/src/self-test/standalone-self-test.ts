import type { Clock } from 'posdiag-protocol';
import type { Observation } from '../core/readings.js';
import { resolveTerminal } from '../core/terminal-identity.js';
import type { Config } from '../config/schema.js';
import type { Driver } from '../drivers/contract.js';
import type { DriverOverrides } from '../devices/family.js';
import { createDrivers } from '../devices/registry.js';
import { Scheduler } from '../drivers/scheduler.js';
import type { Catalog } from '../faults/catalog.js';
import type { Logger } from '../log/logger.js';
import type { SelfTestResult } from 'posdiag-protocol';
import { randomUUID } from 'node:crypto';
import { createRuleEngine } from '../rules/rule-files.js';
import { readWorkOrder } from '../repair/work-order.js';
import { runSelfTestSession, type SelfTestRequest } from './self-test-session.js';

/** One poll of every driver, as the self-test takes it: an Observation, or the Error of a failed poll. */
export async function pollForSelfTest(scheduler: Scheduler): Promise<Map<Driver, Observation | Error>> {
  const polled = new Map<Driver, Observation | Error>();
  for (const [driver, outcome] of await scheduler.pollAll()) polled.set(driver, outcome.ok ? outcome.observation : outcome.error);
  return polled;
}

/**
 * A self-test with no daemon: the configured drivers are built, polled, tested at the requested level
 * and closed. Nothing is recorded or sent (that is the daemon's job), so it is safe beside a running
 * agent's outbox.
 */
export async function standaloneSelfTest(
  options: { config: Config; catalog: Catalog; log: Logger; clock: Clock; overrides?: DriverOverrides } & Omit<SelfTestRequest, 'level'> & { level?: SelfTestRequest['level'] },
): Promise<SelfTestResult> {
  const { config, catalog, log, clock, overrides, level = 'quick', ...request } = options;
  const engine = await createRuleEngine(config.rules, catalog);
  const drivers = createDrivers(config, { clock, log }, overrides);
  const scheduler = new Scheduler({ drivers, clock, log, onObservation: () => {} });
  try {
    const setup = { workOrder: () => readWorkOrder(config.paths.state), config, drivers, pollAll: () => pollForSelfTest(scheduler), engine, catalog, clock, terminal: resolveTerminal(config), log };
    return await runSelfTestSession(setup, { level, ...request }, randomUUID());
  } finally {
    await scheduler.stop();
    await Promise.allSettled(drivers.map((d) => d.close()));
  }
}
