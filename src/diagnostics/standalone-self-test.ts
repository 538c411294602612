import type { Clock } from '../core/clock.js';
import type { Observation } from '../core/readings.js';
import { resolveTerminal } from '../core/terminal-identity.js';
import type { Config } from '../config/schema.js';
import type { Driver } from '../drivers/contract.js';
import { createDrivers, type DriverOverrides } from '../drivers/registry.js';
import { Scheduler } from '../drivers/scheduler.js';
import type { Logger } from '../log/logger.js';
import type { SelfTestResult } from '../report/schema.js';
import { createRuleEngine } from './rule-files.js';
import { runSelfTest, type Locale } from './self-test.js';

/** One poll of every driver, as the self-test takes it: an Observation, or the Error of a failed poll. */
export async function pollForSelfTest(scheduler: Scheduler): Promise<Map<Driver, Observation | Error>> {
  const polled = new Map<Driver, Observation | Error>();
  for (const [driver, outcome] of await scheduler.pollAll()) polled.set(driver, outcome.ok ? outcome.observation : outcome.error);
  return polled;
}

/**
 * A quick self-test with no daemon: the configured drivers are built, polled once and closed. Nothing
 * is recorded or sent (that is the daemon's job), so it is safe beside a running agent's outbox.
 */
export async function standaloneSelfTest(options: {
  config: Config;
  log: Logger;
  clock: Clock;
  locale: Locale;
  overrides?: DriverOverrides;
}): Promise<SelfTestResult> {
  const { config, log, clock } = options;
  const engine = await createRuleEngine(config.rules);
  const drivers = createDrivers(config, { clock, log }, options.overrides);
  const scheduler = new Scheduler({ drivers, clock, log, onObservation: () => {} });
  try {
    return await runSelfTest({
      level: 'quick',
      drivers,
      pollAll: () => pollForSelfTest(scheduler),
      engine,
      clock,
      terminal: resolveTerminal(config),
      locale: options.locale,
    });
  } finally {
    await scheduler.stop();
    await Promise.allSettled(drivers.map((d) => d.close()));
  }
}
