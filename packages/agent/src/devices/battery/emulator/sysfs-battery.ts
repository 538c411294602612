import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A Linux power_supply tree on disk for demos and tests: `<root>/class/power_supply/BAT0/…` (a battery)
 * and `<root>/class/power_supply/AC/…` (mains). Point `paths.sysfs` at `root` and the real driver reads it.
 *
 * Invariant: every file is replaced by write-to-temp + rename, so a reader sees the old or the new
 * value, never a torn one. Every setter brings every attribute the state owns (and `uevent`) back in
 * line with the state, which also undoes an earlier `writeRaw` of such an attribute.
 */

export type EmulatedStatus = 'charging' | 'discharging' | 'not_charging' | 'full' | 'unknown';
export type EmulatedHealth = 'good' | 'overheat' | 'dead' | 'over_voltage' | 'failure' | 'cold' | 'unknown';

export interface SysfsBatteryState {
  present: boolean;
  levelPct: number;
  status: EmulatedStatus;
  health: EmulatedHealth;
  temperatureC: number;
  voltageV: number;
  /** µAh */
  chargeFull: number;
  /** µAh */
  chargeFullDesign: number;
  cycleCount: number;
  acOnline: boolean;
  technology: string;
  manufacturer: string;
  modelName: string;
  serialNumber: string;
}

export const DEFAULT_BATTERY_STATE: SysfsBatteryState = {
  present: true,
  levelPct: 80,
  status: 'discharging',
  health: 'good',
  temperatureC: 30,
  voltageV: 3.9,
  chargeFull: 2_600_000,
  chargeFullDesign: 2_800_000,
  cycleCount: 120,
  acOnline: false,
  technology: 'Li-ion',
  manufacturer: 'PosCell',
  modelName: 'PC-2800',
  serialNumber: 'SIM0001',
};

const KERNEL_STATUS: Record<EmulatedStatus, string> = {
  charging: 'Charging',
  discharging: 'Discharging',
  not_charging: 'Not charging',
  full: 'Full',
  unknown: 'Unknown',
};

const KERNEL_HEALTH: Record<EmulatedHealth, string> = {
  good: 'Good',
  overheat: 'Overheat',
  dead: 'Dead',
  over_voltage: 'Over voltage',
  failure: 'Unspecified failure',
  cold: 'Cold',
  unknown: 'Unknown',
};

export const EMULATED_BATTERY = 'BAT0';
export const EMULATED_MAINS = 'AC';

export class SysfsBattery {
  readonly batteryDir: string;
  readonly mainsDir: string;
  private current: SysfsBatteryState;
  /** File → content as last written: only changed files are rewritten, dropped ones (battery pulled) removed. */
  private written = new Map<string, string>();

  constructor(
    readonly root: string,
    initial: Partial<SysfsBatteryState> = {},
  ) {
    this.batteryDir = join(root, 'class', 'power_supply', EMULATED_BATTERY);
    this.mainsDir = join(root, 'class', 'power_supply', EMULATED_MAINS);
    mkdirSync(this.batteryDir, { recursive: true });
    mkdirSync(this.mainsDir, { recursive: true });
    this.current = { ...DEFAULT_BATTERY_STATE, ...initial };
    this.writeAll();
  }

  get state(): Readonly<SysfsBatteryState> {
    return this.current;
  }

  update(patch: Partial<SysfsBatteryState>): void {
    this.current = { ...this.current, ...patch };
    this.writeAll();
  }

  setLevel(levelPct: number): void {
    this.update({ levelPct });
  }
  setStatus(status: EmulatedStatus): void {
    this.update({ status });
  }
  setHealth(health: EmulatedHealth): void {
    this.update({ health });
  }
  setTemperature(temperatureC: number): void {
    this.update({ temperatureC });
  }
  setPresent(present: boolean): void {
    this.update({ present });
  }
  setAcOnline(acOnline: boolean): void {
    this.update({ acOnline });
  }

  /** Fault injection: puts `text` verbatim into one attribute file (garbage, a truncated value, …). */
  writeRaw(supply: typeof EMULATED_BATTERY | typeof EMULATED_MAINS, attribute: string, text: string): void {
    const file = join(supply === EMULATED_BATTERY ? this.batteryDir : this.mainsDir, attribute);
    atomicWrite(file, text);
    this.written.delete(file);
  }

  private writeAll(): void {
    const files = new Map([
      ...supplyFiles(this.batteryDir, EMULATED_BATTERY, batteryAttributes(this.current)),
      ...supplyFiles(this.mainsDir, EMULATED_MAINS, { type: 'Mains', online: this.current.acOnline ? '1' : '0' }),
    ]);
    for (const file of this.written.keys()) if (!files.has(file)) rmSync(file, { force: true });
    for (const [file, text] of files) if (this.written.get(file) !== text) atomicWrite(file, text);
    this.written = files;
  }
}

export function createSysfsBattery(root: string, initial: Partial<SysfsBatteryState> = {}): SysfsBattery {
  return new SysfsBattery(root, initial);
}

/** The kernel's files for a battery. A battery that is not present keeps only what the kernel still shows. */
function batteryAttributes(s: SysfsBatteryState): Record<string, string> {
  if (!s.present) return { type: 'Battery', present: '0' };
  return {
    type: 'Battery',
    status: KERNEL_STATUS[s.status],
    health: KERNEL_HEALTH[s.health],
    present: '1',
    technology: s.technology,
    cycle_count: String(Math.round(s.cycleCount)),
    voltage_now: String(Math.round(s.voltageV * 1e6)),
    charge_full_design: String(Math.round(s.chargeFullDesign)),
    charge_full: String(Math.round(s.chargeFull)),
    charge_now: String(Math.round((s.chargeFull * s.levelPct) / 100)),
    capacity: String(Math.round(s.levelPct)),
    temp: String(Math.round(s.temperatureC * 10)),
    model_name: s.modelName,
    manufacturer: s.manufacturer,
    serial_number: s.serialNumber,
  };
}

/** The attribute files and `uevent` of one supply, as the kernel formats them. */
function supplyFiles(dir: string, name: string, attrs: Record<string, string>): [string, string][] {
  const uevent = Object.entries(attrs).map(([attr, value]) => `POWER_SUPPLY_${attr.toUpperCase()}=${value}\n`);
  return [
    ...Object.entries(attrs).map(([attr, value]): [string, string] => [join(dir, attr), `${value}\n`]),
    [join(dir, 'uevent'), `DEVTYPE=power_supply\nPOWER_SUPPLY_NAME=${name}\n${uevent.join('')}`],
  ];
}

function atomicWrite(file: string, text: string): void {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, text);
  renameSync(temp, file);
}
