import { randomUUID } from 'node:crypto';
import type { Clock } from 'posdiag-protocol';
import type { Config } from '../config/schema.js';
import { scrubText } from '../core/card-scrubber.js';
import type { DeviceKind, Observation, Readings } from '../core/readings.js';
import type { TerminalIdentity } from '../core/terminal-identity.js';
import type { Locale } from 'posdiag-protocol';
import { uiText } from '../core/ui-text.js';
import type { Driver } from '../drivers/contract.js';
import type { SelfTestResult } from 'posdiag-protocol';
import type { RuleEngine } from '../rules/rule-engine.js';
import { ANSWER_TIMEOUT_MS, type Prompter } from './self-test-prompts.js';
import { selfTestRef } from './self-test-receipt.js';
import type { AnyFamily, FamilyCheckContext } from '../devices/family.js';
import { families } from '../devices/index.js';
import {
  type SelfTestCheck,
  type StepContext,
} from './self-test-steps.js';
import { verifyFaults } from './self-test-verification.js';
import { MERCHANT_HINT_CHECK } from './merchant-hints.js';
import type { Catalog } from '../faults/catalog.js';
import type { ActiveFault } from '../faults/types.js';
import { unknownReadings } from '../rules/unknown-readings.js';

type SelfTestProblem = NonNullable<SelfTestResult['problems']>[number];

export type SelfTestLevel = SelfTestResult['level'];

export interface RunSelfTestOptions {
  level: SelfTestLevel;
  /** The coordinator's id for this test; the result carries it and its short `ref`. Random by default. */
  testId?: string;
  drivers: Driver[];
  /** One poll of each driver; a driver that failed maps to its Error. */
  pollAll: (drivers: Driver[]) => Promise<Map<Driver, Observation | Error>>;
  /**
   * The latest observation of each of the daemon's own sources, by source (clock skew, the agent's
   * state, the maintenance readings: the pipeline makes them, no driver reads them), taken after the poll
   * and judged with its readings. Absent standalone, where there is no pipeline.
   */
  ownObservations?: () => ReadonlyMap<string, Observation>;
  engine: Pick<RuleEngine, 'active'>;
  clock: Clock;
  terminal: TerminalIdentity;
  locale: Locale;
  /** What each fault means, for the merchant's summaries and steps. */
  catalog: Catalog;
  /** Hears each check as soon as it is decided (the control API streams them). */
  onCheck?: (check: SelfTestCheck) => void;
  /** The configured device sections: a family's checks read their own. */
  devices?: Partial<Config['devices']>;
  /** Who answers the interactive level's prompts; required at that level. */
  prompter?: Prompter;
  /** The live alerts when the test started (the daemon's): the full and interactive levels verify them. */
  firingAtStart?: readonly { code: string; instance: string | null }[];
  answerTimeoutMs?: number;
}

const MAX_DETAIL = 500;

/** As many as the result schema admits; a device that fails on every value still fits. */
const MAX_PROBLEMS = 100;

/**
 * The self-test (SPEC §6). `quick`: one non-invasive poll of every configured device, then every fault
 * whose condition holds right now (no `for` wait) over those readings and, in the daemon, the latest of
 * the pipeline's own sources (a wrong clock fails the system check); a device's check fails when its
 * poll failed or when a fault of that device holds that no other fault explains. What a driver could not read (garbage, an
 * impossible value) is listed under `problems` with its raw value and decides no fault. `full` adds a test receipt with a cut, a
 * check per TLS target and the modem's registration; `interactive` adds the prompts (is the receipt
 * legible, swipe the test card). `passed` is every check passing.
 */
export async function runSelfTest(opts: RunSelfTestOptions): Promise<SelfTestResult> {
  if (opts.level === 'interactive' && !opts.prompter) throw new Error('the interactive self-test needs someone to answer its prompts');
  const { catalog } = opts;
  const testId = opts.testId ?? randomUUID();
  const startedAt = opts.clock.now();
  const polled = await opts.pollAll(opts.drivers);

  // The picture the live monitor judges: the daemon's own sources, then each driver's fresh poll.
  const observed: [string, Observation][] = [...(opts.ownObservations?.() ?? [])];
  for (const [driver, outcome] of polled) if (!(outcome instanceof Error)) observed.push([driver.name, outcome]);

  const readings: Readings = {};
  const unknown: string[] = [];
  const problems: SelfTestProblem[] = [];
  for (const [source, observation] of observed) {
    // Raw protocol evidence rides along as readings, as in the live monitor.
    Object.assign(readings, observation.readings, observation.evidence);
    // A reading a source could not read is unknown, as in the live monitor: it decides no fault.
    unknown.push(...unknownReadings(observation));
    for (const p of observation.problems ?? []) {
      problems.push({ device: source, ...(p.reading ? { reading: p.reading } : {}), message: clip(scrubText(p.message)) });
    }
  }
  const faults = opts.engine.active(readings, unknown);
  const checks: SelfTestCheck[] = [];
  const decided = (check: SelfTestCheck) => {
    checks.push(check);
    opts.onCheck?.(check);
  };

  for (const driver of opts.drivers) decided(statusCheck(driver, polled.get(driver) ?? new Error('not polled'), faults, catalog, opts.locale));
  // The merchant's hints (a damaged card, not the reader): passing checks, for no fault of the terminal's.
  for (const family of families) {
    const own = opts.drivers.filter((d) => d.kind === family.kind);
    if (!own.length) continue;
    for (const hint of family.merchantHints?.(own, opts.clock.now()) ?? []) decided({ device: own[0]!.name, name: MERCHANT_HINT_CHECK, passed: true, detail: clip(hint[opts.locale]) });
  }
  if (opts.level !== 'quick') await deeperChecks(opts, readings, catalog, decided);

  return {
    level: opts.level,
    startedAt: new Date(startedAt).toISOString(),
    finishedAt: new Date(opts.clock.now()).toISOString(),
    passed: checks.every((c) => c.passed),
    terminal: { id: opts.terminal.id, model: opts.terminal.model, serial: opts.terminal.serial },
    checks,
    readings,
    faults: faults.map((f) => ({
      code: f.code,
      instance: f.instance,
      category: f.category,
      severity: f.severity,
      inhibitedBy: f.inhibitedBy,
      remediation: (catalog.get(f.code)?.remediation ?? []).map((s) => ({ text: s.text[opts.locale], automatic: s.automatic })),
    })),
    ...(problems.length ? { problems: problems.slice(0, MAX_PROBLEMS) } : {}),
    testId,
    ref: selfTestRef(testId),
    ...(opts.level !== 'quick' && opts.firingAtStart ? { verification: verifyFaults(opts.firingAtStart, faults) } : {}),
  };
}

function statusCheck(
  driver: Driver,
  outcome: Observation | Error,
  faults: ActiveFault[],
  catalog: Catalog,
  locale: Locale,
): SelfTestCheck {
  const w = uiText(locale).detail;
  if (outcome instanceof Error) {
    return { device: driver.name, name: 'status', passed: false, detail: clip(`${w.noAnswer}: ${scrubText(outcome.message)}`) };
  }
  // "Unknown" is never OK: a device that reported no reading at all fails, with the reasons it gave.
  if (Object.keys(outcome.readings).length === 0) {
    const why = (outcome.problems ?? []).map((p) => p.message).join('; ');
    return { device: driver.name, name: 'status', passed: false, detail: clip(`${w.stateUnknown}${why ? `: ${scrubText(why)}` : ''}`) };
  }
  const detail = ownFaultSummary(faults, driver.kind, catalog, locale);
  return { device: driver.name, name: 'status', passed: detail === '', detail: detail ? clip(detail) : w.ok };
}

/** The full level's checks, then the interactive level's prompts, each decided in turn (one device at a time). */
async function deeperChecks(
  opts: RunSelfTestOptions,
  readings: Readings,
  catalog: Catalog,
  decided: (check: SelfTestCheck) => void,
): Promise<void> {
  const ctx: StepContext = {
    clock: opts.clock,
    locale: opts.locale,
    faultSummary: (r: Readings, device: DeviceKind) => ownFaultSummary(opts.engine.active(r), device, catalog, opts.locale),
    newPromptId: () => randomUUID(),
    answerTimeoutMs: opts.answerTimeoutMs ?? ANSWER_TIMEOUT_MS,
  };
  const interactive = opts.level === 'interactive' ? opts.prompter : undefined;
  const contextOf = (family: AnyFamily): FamilyCheckContext<unknown> => ({
    drivers: opts.drivers.filter((d) => d.kind === family.kind),
    section: (opts.devices as Record<string, unknown> | undefined)?.[family.key],
    readings,
    terminalId: opts.terminal.id,
    prompter: interactive,
    step: ctx,
    decide: decided,
  });
  // A family is tested when one of its drivers is; each family's checks in turn, in list order.
  const tested = families.filter((family) => opts.drivers.some((d) => d.kind === family.kind));
  for (const family of tested) await family.selfTest?.full?.(contextOf(family));
  if (interactive) for (const family of tested) await family.selfTest?.interactive?.({ ...contextOf(family), prompter: interactive });
}

/** Summaries of the faults of `device` that no other fault explains, '; '-joined; '' when there are none. */
function ownFaultSummary(faults: ActiveFault[], device: DeviceKind, catalog: Catalog, locale: Locale): string {
  return faults
    .filter((f) => f.inhibitedBy === null && catalog.get(f.code)?.device === device)
    .map((f) => summaryOf(f, catalog, locale))
    .join('; ');
}

function summaryOf(fault: ActiveFault, catalog: Catalog, locale: Locale): string {
  const summary = catalog.get(fault.code)?.summary[locale] ?? fault.code;
  return fault.instance === null ? summary : `${summary} (${fault.instance})`;
}

function clip(text: string): string {
  return text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL - 1)}…` : text;
}
