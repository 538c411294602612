import type { DeviceIdentity, Observation, ReadingProblem, Readings } from '../../core/readings.js';

/**
 * Pure parsing of Linux power_supply attributes (Documentation/ABI/testing/sysfs-class-power) into
 * SPEC §4 readings. Input: attribute name (lower case, as the file is named) → trimmed text.
 *
 * Invariants: a missing attribute gives no reading (never zero); a value that does not parse gives a
 * ReadingProblem naming the reading and no reading; nothing here throws.
 */
export type PowerSupplyAttributes = Record<string, string>;

/** The attributes a battery or an external supply is read for (per-attribute files or `uevent`). */
export const POWER_SUPPLY_ATTRIBUTES = [
  'type', 'status', 'health', 'present', 'online', 'capacity', 'voltage_now', 'temp', 'cycle_count',
  'charge_full', 'charge_full_design', 'energy_full', 'energy_full_design',
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
  energy_full: 'battery.capacity_health_pct',
  energy_full_design: 'battery.capacity_health_pct',
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
  put('battery.level_pct', field(attrs, 'capacity', (t) => inRange(t, 0, 100)));
  put('battery.status', field(attrs, 'status', parseStatus));
  put('battery.health', field(attrs, 'health', parseHealth));
  put('battery.temperature_c', field(attrs, 'temp', (t) => scaled(t, 10)));
  put('battery.voltage_v', field(attrs, 'voltage_now', (t) => scaled(t, 1e6, 3)));
  put('battery.capacity_health_pct', capacityHealth(attrs));
  put('battery.cycle_count', field(attrs, 'cycle_count', parseCycleCount));

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

function scaled(text: string, divisor: number, decimals = 1): Parsed<number> {
  const n = integer(text);
  if (n === undefined) return { problem: `${quote(text)} is not an integer` };
  const factor = 10 ** decimals;
  return { value: Math.round((n / divisor) * factor) / factor };
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
  return n === 0 ? { absent: true } : { value: n };
}

/** full ÷ design × 100 from charge_* (µAh) or, when that pair is incomplete, energy_* (µWh). */
function capacityHealth(attrs: PowerSupplyAttributes): Parsed<number> {
  const family = ['charge', 'energy'].find((f) => attrs[`${f}_full`] !== undefined && attrs[`${f}_full_design`] !== undefined);
  if (!family) return { absent: true };
  const full = field(attrs, `${family}_full`, (t) => inRange(t, 0, Number.MAX_SAFE_INTEGER));
  const design = field(attrs, `${family}_full_design`, (t) => inRange(t, 0, Number.MAX_SAFE_INTEGER));
  if ('problem' in full) return full;
  if ('problem' in design) return design;
  if (!('value' in full) || !('value' in design) || design.value === 0) return { absent: true };
  return { value: Math.round((full.value / design.value) * 1000) / 10 };
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
