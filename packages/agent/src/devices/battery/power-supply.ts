import type { DeviceIdentity, Observation, ReadingProblem, Readings } from '../../core/readings.js';
import { CAPACITY_CONSISTENCY, measure, type BoundedReading } from './battery-ranges.js';

/**
 * Pure parsing of Linux power_supply attributes (Documentation/ABI/testing/sysfs-class-power) into
 * SPEC §4 readings. Input: attribute name (lower case, as the file is named) → trimmed text.
 *
 * Invariants: a missing attribute gives no reading (never zero); a value that does not parse, or that is
 * physically impossible (battery-ranges.ts), gives a ReadingProblem naming the reading and quoting the
 * raw value, and no reading; nothing here throws.
 */
export type PowerSupplyAttributes = Record<string, string>;

/** The attributes a battery or an external supply is read for (per-attribute files or `uevent`). */
export const POWER_SUPPLY_ATTRIBUTES = [
  'type', 'status', 'health', 'present', 'online', 'capacity', 'voltage_now', 'temp', 'cycle_count',
  'charge_full', 'charge_full_design', 'charge_now', 'energy_full', 'energy_full_design', 'energy_now',
  'model_name', 'manufacturer', 'serial_number',
] as const;

/** Which reading an attribute feeds, so an unreadable file is reported against the right reading. */
export const READING_OF_ATTRIBUTE: Partial<Record<string, string>> = {
  status: 'battery.status',
  health: 'battery.health',
  present: 'battery.present',
  online: 'power.ac_online',
  capacity: 'battery.level_pct',
  voltage_now: 'battery.voltage_v',
  temp: 'battery.temperature_c',
  cycle_count: 'battery.cycle_count',
  charge_full: 'battery.capacity_health_pct',
  charge_full_design: 'battery.capacity_health_pct',
  charge_now: 'battery.capacity_health_pct',
  energy_full: 'battery.capacity_health_pct',
  energy_full_design: 'battery.capacity_health_pct',
  energy_now: 'battery.capacity_health_pct',
};

const STATUS: Record<string, string> = {
  charging: 'charging',
  discharging: 'discharging',
  'not charging': 'not_charging',
  full: 'full',
  unknown: 'unknown',
};

/** Kernel health words we name; every other kernel word (Watchdog timer expire, Warm, Hot, …) is `unknown`. */
const HEALTH: Record<string, string> = {
  good: 'good',
  overheat: 'overheat',
  dead: 'dead',
  'over voltage': 'over_voltage',
  'unspecified failure': 'failure',
  cold: 'cold',
  unknown: 'unknown',
};

/** Supply types that bring external power (USB covers the older USB_DCP, USB_C, USB_PD, … types). */
export function isExternalSupply(type: string | undefined): boolean {
  return type === 'Mains' || type === 'Wireless' || (type !== undefined && type.startsWith('USB'));
}

/** Battery readings, problems and identity of one `type=Battery` supply. */
export function parsePowerSupply(attrs: PowerSupplyAttributes): Observation & { problems: ReadingProblem[] } {
  const readings: Readings = {};
  const problems: ReadingProblem[] = [];
  const put = (reading: string, result: Parsed<number | boolean | string>) => {
    if ('value' in result) readings[reading] = result.value;
    else if ('problem' in result) problems.push({ reading, message: result.problem });
  };

  put('battery.present', field(attrs, 'present', parseFlag));
  // A removed battery's other attributes describe no battery (an open thermistor, 0 V, a stale level).
  if (readings['battery.present'] !== false) {
    put('battery.level_pct', field(attrs, 'capacity', measured('battery.level_pct', 1, 0)));
    put('battery.status', field(attrs, 'status', parseStatus));
    put('battery.health', field(attrs, 'health', parseHealth));
    put('battery.temperature_c', field(attrs, 'temp', measured('battery.temperature_c', 10, 1)));
    put('battery.voltage_v', field(attrs, 'voltage_now', measured('battery.voltage_v', 1e6, 3)));
    put('battery.capacity_health_pct', capacityHealth(attrs));
    put('battery.cycle_count', field(attrs, 'cycle_count', parseCycleCount));
  }

  const identity = batteryIdentity(attrs);
  return { readings, problems, ...(identity ? { identity } : {}) };
}

/**
 * `power.ac_online` from every external supply: true if any is online, false only when each one that
 * exists reported a clean offline value, absent when there is no external supply to ask.
 */
export function parseAcOnline(supplies: PowerSupplyAttributes[]): { readings: Readings; problems: ReadingProblem[] } {
  const problems: ReadingProblem[] = [];
  let online: boolean | undefined;
  let complete = true;
  for (const attrs of supplies) {
    if (!isExternalSupply(attrs.type)) continue;
    const result = field(attrs, 'online', (t) => {
      const n = integer(t);
      return n === undefined || n < 0 ? { problem: `online: ${quote(t)} is not 0, 1 or 2` } : { value: n > 0 };
    });
    if ('value' in result) online = (online ?? false) || result.value;
    else {
      complete = false;
      if ('problem' in result) problems.push({ reading: 'power.ac_online', message: result.problem });
    }
  }
  if (online === true || (online === false && complete)) return { readings: { 'power.ac_online': online }, problems };
  return { readings: {}, problems };
}

type Parsed<T> = { value: T } | { problem: string } | { absent: true };

function field<T>(attrs: PowerSupplyAttributes, name: string, parse: (text: string) => Parsed<T>): Parsed<T> {
  const text = attrs[name];
  if (text === undefined) return { absent: true };
  if (text === '') return { problem: `${name}: empty value` };
  const result = parse(text);
  return 'problem' in result ? { problem: `${name}: ${result.problem}` } : result;
}

/** Decimal integers only: "abc", "12abc", "1e3" and "" are not numbers here. */
function integer(text: string): number | undefined {
  return /^-?\d{1,18}$/.test(text) ? Number(text) : undefined;
}

function parseFlag(text: string): Parsed<boolean> {
  if (text === '0' || text === '1') return { value: text === '1' };
  return { problem: `${quote(text)} is not 0 or 1` };
}

function inRange(text: string, min: number, max: number): Parsed<number> {
  const n = integer(text);
  if (n === undefined) return { problem: `${quote(text)} is not an integer` };
  if (n < min || n > max) return { problem: `${n} is outside ${min}..${max}` };
  return { value: n };
}

/** A decimal integer ÷ `divisor` (the attribute's unit → the reading's), inside the reading's physical range. */
function measured(reading: BoundedReading, divisor: number, decimals: number): (text: string) => Parsed<number> {
  return (text) => {
    const n = integer(text);
    return n === undefined ? { problem: `${quote(text)} is not an integer` } : measure(reading, n, divisor, decimals, text);
  };
}

function parseStatus(text: string): Parsed<string> {
  const status = STATUS[text.toLowerCase()];
  return status ? { value: status } : { problem: `${quote(text)} is not a power_supply status` };
}

function parseHealth(text: string): Parsed<string> {
  const health = HEALTH[text.toLowerCase()];
  if (health) return { value: health };
  // A word we do not name is still a health the kernel knows; bytes that are no word are garbage.
  return /^[A-Za-z][A-Za-z ]*$/.test(text) ? { value: 'unknown' } : { problem: `${quote(text)} is not a power_supply health` };
}

/** The ABI says 0 means "unknown", so it is absent rather than a battery that never cycled. */
function parseCycleCount(text: string): Parsed<number> {
  const n = integer(text);
  if (n === undefined || n < 0) return { problem: `${quote(text)} is not a cycle count` };
  return n === 0 ? { absent: true } : measured('battery.cycle_count', 1, 0)(text);
}

type CapacityFamily = 'charge' | 'energy';

/**
 * full ÷ design × 100 from charge_* (µAh) or, when that pair is incomplete, energy_* (µWh). Where the
 * gauge gives both pairs, or the present charge beside the full one, they must agree
 * (CAPACITY_CONSISTENCY): figures that contradict each other are a problem, not a worn battery.
 */
function capacityHealth(attrs: PowerSupplyAttributes): Parsed<number> {
  const charge = wear(attrs, 'charge');
  const energy = wear(attrs, 'energy');
  const [primary, other] = 'absent' in charge ? [energy, charge] : [charge, energy];
  if (!('value' in primary)) return primary;
  if ('value' in other && Math.abs(primary.value.pct - other.value.pct) > CAPACITY_CONSISTENCY.chargeEnergyGapPts) {
    return { problem: `${primary.value.shown} = ${primary.value.pct} % but ${other.value.shown} = ${other.value.pct} %: charge and energy disagree` };
  }
  return { value: primary.value.pct };
}

/** One family's wear in %, with the raw figures it came from; absent when the pair is incomplete or design is 0. */
function wear(attrs: PowerSupplyAttributes, family: CapacityFamily): Parsed<{ pct: number; shown: string }> {
  if (attrs[`${family}_full`] === undefined || attrs[`${family}_full_design`] === undefined) return { absent: true };
  const amount = (t: string) => inRange(t, 0, Number.MAX_SAFE_INTEGER);
  const full = field(attrs, `${family}_full`, amount);
  const design = field(attrs, `${family}_full_design`, amount);
  if ('problem' in full) return full;
  if ('problem' in design) return design;
  if (!('value' in full) || !('value' in design) || design.value === 0) return { absent: true };
  // The present charge only checks the full one: garbage there leaves nothing to check against.
  const now = field(attrs, `${family}_now`, amount);
  if ('value' in now && now.value > full.value * CAPACITY_CONSISTENCY.nowOverFullMax) {
    return { problem: `${family}_now ${now.value} exceeds ${family}_full ${full.value} by more than ${Math.round((CAPACITY_CONSISTENCY.nowOverFullMax - 1) * 100)} %: the full figure is wrong` };
  }
  const shown = `${family}_full ${full.value} / ${family}_full_design ${design.value}`;
  const pct = measure('battery.capacity_health_pct', full.value * 100, design.value, 1, shown);
  return 'value' in pct ? { value: { pct: pct.value, shown } } : pct;
}

function batteryIdentity(attrs: PowerSupplyAttributes): DeviceIdentity | undefined {
  const identity: DeviceIdentity = { kind: 'battery' };
  if (attrs.manufacturer) identity.vendor = attrs.manufacturer;
  if (attrs.model_name) identity.model = attrs.model_name;
  if (attrs.serial_number) identity.serial = attrs.serial_number;
  return Object.keys(identity).length > 1 ? identity : undefined;
}

/** Shows garbage safely in a problem message: JSON-quoted and cut short. */
function quote(text: string): string {
  return JSON.stringify(text.length > 32 ? `${text.slice(0, 32)}…` : text);
}
