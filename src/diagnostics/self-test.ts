import type { Clock } from '../core/clock.js';
import { scrubText } from '../core/card-scrubber.js';
import type { Observation, Readings } from '../core/readings.js';
import type { Driver } from '../drivers/contract.js';
import type { SelfTestResult } from '../report/schema.js';
import { catalog as builtinCatalog } from './catalog.js';
import type { RuleEngine } from './rule-engine.js';
import type { ActiveFault, CatalogEntry } from './types.js';

export type Locale = 'zh-CN' | 'en';

export interface QuickSelfTestOptions {
  level: 'quick';
  drivers: Driver[];
  /** One poll of each driver; a driver that failed maps to its Error. */
  pollAll: (drivers: Driver[]) => Promise<Map<Driver, Observation | Error>>;
  engine: Pick<RuleEngine, 'active'>;
  clock: Clock;
  terminal: { id: string; model: string; serial: string };
  locale: Locale;
  catalog?: ReadonlyMap<string, CatalogEntry>;
  /** Hears each check as soon as it is decided (the control API streams them). */
  onCheck?: (check: SelfTestResult['checks'][number]) => void;
}

const MAX_DETAIL = 500;
const OK = 'ok';
const POLL_FAILED: Record<Locale, string> = { en: 'no answer', 'zh-CN': '无应答' };
const NO_READINGS: Record<Locale, string> = { en: 'state unknown', 'zh-CN': '状态未知' };

/**
 * The quick self-test (SPEC §6): one non-invasive poll of every configured device, then every fault
 * whose condition holds right now (no `for` wait). A device's check fails when its poll failed or when a
 * fault of that device holds that no other fault explains; `passed` is every check passing.
 */
export async function runSelfTest(opts: QuickSelfTestOptions): Promise<SelfTestResult> {
  const catalog = opts.catalog ?? builtinCatalog;
  const startedAt = opts.clock.now();
  const polled = await opts.pollAll(opts.drivers);

  const readings: Readings = {};
  for (const outcome of polled.values()) {
    // Raw protocol evidence rides along as readings, as in the live monitor.
    if (!(outcome instanceof Error)) Object.assign(readings, outcome.readings, outcome.evidence);
  }
  const faults = opts.engine.active(readings);

  const checks = opts.drivers.map((driver) => {
    const outcome = polled.get(driver) ?? new Error('not polled');
    if (outcome instanceof Error) {
      return { device: driver.name, name: 'status', passed: false, detail: clip(`${POLL_FAILED[opts.locale]}: ${scrubText(outcome.message)}`) };
    }
    // "Unknown" is never OK: a device that reported no reading at all fails, with the reasons it gave.
    if (Object.keys(outcome.readings).length === 0) {
      const why = (outcome.problems ?? []).map((p) => p.message).join('; ');
      return { device: driver.name, name: 'status', passed: false, detail: clip(`${NO_READINGS[opts.locale]}${why ? `: ${scrubText(why)}` : ''}`) };
    }
    const own = faults.filter((f) => f.inhibitedBy === null && catalog.get(f.code)?.device === driver.kind);
    const detail = own.map((f) => summaryOf(f, catalog, opts.locale)).join('; ');
    return { device: driver.name, name: 'status', passed: own.length === 0, detail: own.length ? clip(detail) : OK };
  });

  for (const check of checks) opts.onCheck?.(check);
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
  };
}

function summaryOf(fault: ActiveFault, catalog: ReadonlyMap<string, CatalogEntry>, locale: Locale): string {
  const summary = catalog.get(fault.code)?.summary[locale] ?? fault.code;
  return fault.instance === null ? summary : `${summary} (${fault.instance})`;
}

function clip(text: string): string {
  return text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL - 1)}…` : text;
}
