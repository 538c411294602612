import { ConfigError } from '../../config/config-error.js';
import { pollTiming } from '../../drivers/poll-timing.js';
import type { BatteryConfig } from './config.js';
import type { Observation, ReadingProblem } from '../../core/readings.js';
import type { Driver, DriverContext } from '../../drivers/contract.js';
import { isSafeSegment } from '../../drivers/transports/sysfs.js';
import { isExternalSupply, parseAcOnline, parsePowerSupply } from './power-supply.js';
import { listPowerSupplies, POWER_SUPPLY_CLASS, readPowerSupply, type PowerSupply } from './read-power-supply.js';

export type SysfsBatteryConfig = Extract<BatteryConfig, { source: 'sysfs' }>;

/** Battery state changes slowly; a sysfs read takes microseconds, so the timeout only catches a stuck fs. */
export const BATTERY_DEFAULT_TIMING = { interval: '30s', timeout: '5s' };

/**
 * Battery and external power from `<sysfs>/class/power_supply`. Every poll re-reads the tree (supplies
 * come and go: a battery pulled, a charger plugged), so the driver holds nothing between polls.
 */
export class SysfsBatteryDriver implements Driver {
  readonly kind = 'battery' as const;
  readonly name = 'battery';
  readonly intervalMs: number;
  readonly timeoutMs: number;
  private readonly sysfsRoot: string;
  private readonly supplyName: string | undefined;

  constructor(config: SysfsBatteryConfig, paths: { sysfs: string }, _ctx: DriverContext) {
    if (config.name !== undefined && !isSafeSegment(config.name)) {
      throw new ConfigError(`devices.battery.name: "${config.name}" is not a power_supply name (e.g. "BAT0")`);
    }
    this.supplyName = config.name;
    this.sysfsRoot = paths.sysfs;
    ({ intervalMs: this.intervalMs, timeoutMs: this.timeoutMs } = pollTiming(config, BATTERY_DEFAULT_TIMING));
  }

  async poll(signal: AbortSignal): Promise<Observation> {
    const names = await listPowerSupplies(this.sysfsRoot);
    const supplies = await Promise.all(names.map((name) => readPowerSupply(this.sysfsRoot, name, signal)));
    const ac = parseAcOnline(supplies.map((s) => s.attrs));
    const battery = this.selectBattery(supplies);
    // Unreadable files matter only on the supplies we report about.
    const readProblems = supplies
      .filter((s) => s === battery || isExternalSupply(s.attrs.type))
      .flatMap((s) => s.problems);

    if (!battery) {
      const problems: ReadingProblem[] = [...readProblems, ...ac.problems];
      if (this.supplyName !== undefined) {
        problems.push({ reading: 'battery.present', message: `${POWER_SUPPLY_CLASS}/${this.supplyName} does not exist` });
      }
      return { readings: { 'battery.present': false, ...ac.readings }, problems };
    }

    const parsed = parsePowerSupply(battery.attrs);
    const address = `${POWER_SUPPLY_CLASS}/${battery.name}`;
    return {
      readings: { ...parsed.readings, ...ac.readings },
      identity: { kind: 'battery', ...parsed.identity, address },
      problems: [...readProblems, ...parsed.problems, ...ac.problems],
      evidence: { 'battery.supply': battery.name },
    };
  }

  /** Nothing is held open between polls. */
  async close(): Promise<void> {}

  private selectBattery(supplies: PowerSupply[]): PowerSupply | undefined {
    if (this.supplyName !== undefined) return supplies.find((s) => s.name === this.supplyName);
    return supplies.find((s) => s.attrs.type === 'Battery');
  }
}
