import type { ReadingProblem, Readings } from '../../core/readings.js';
import { measure, type BoundedReading } from './battery-ranges.js';

/**
 * Pure parsing of Android's `dumpsys battery` output (AOSP BatteryService `dumpInternal`) into the same
 * SPEC §4 readings the sysfs parser gives.
 *
 * The output is `Current Battery Service state:` followed by `  key: value` lines. Vendors (Samsung,
 * Xiaomi, …) add lines of their own, with other indentation, and sometimes repeat an AOSP key in another
 * case; `dumpsys battery set …` / `unplug` adds `(UPDATES STOPPED -- use 'reset' to restart)`. So lines
 * are read by key, case-insensitively, the first occurrence wins (AOSP prints its own block first), and
 * every other line is skipped.
 *
 * Units: temperature in tenths of °C, voltage in mV (BatteryService's own fields).
 *
 * Invariants: a key that is not printed gives no reading (never zero); a value that does not parse, or
 * that is physically impossible (battery-ranges.ts), gives a ReadingProblem naming the reading and
 * quoting the raw value, and no reading; output with no battery key at all is one problem
 * on `battery.present`; nothing here throws.
 */
export interface DumpsysBattery {
  readings: Readings;
  problems: ReadingProblem[];
  /** `dumpsys battery set/unplug` froze the service: the values are whatever someone set by hand. */
  updatesStopped: boolean;
}

/** BatteryManager.BATTERY_STATUS_* */
const STATUS: Record<number, string> = { 1: 'unknown', 2: 'charging', 3: 'discharging', 4: 'not_charging', 5: 'full' };
/** BatteryManager.BATTERY_HEALTH_*; 6 is "unspecified failure". */
const HEALTH: Record<number, string> = { 1: 'unknown', 2: 'good', 3: 'overheat', 4: 'dead', 5: 'over_voltage', 6: 'failure', 7: 'cold' };
/** android.hardware.health BatteryChargingState (Android 14+); 0 (INVALID) means "not reported". */
const CHARGING_STATE: Record<number, string> = { 1: 'normal', 2: 'too_cold', 3: 'too_hot', 4: 'long_life', 5: 'adaptive' };
/** android.hardware.health BatteryChargingPolicy (Android 14+); 0 (INVALID) means "not reported". */
const CHARGING_POLICY: Record<number, string> = { 1: 'default', 2: 'long_life', 3: 'adaptive' };
/** android.hardware.health BatteryCapacityLevel (Android 14+); -1 (UNSUPPORTED) means "not reported". */
const CAPACITY_LEVEL: Record<number, string> = { 0: 'unknown', 1: 'critical', 2: 'low', 3: 'normal', 4: 'high', 5: 'full' };

/** The plug kinds BatteryService prints, one `<kind> powered: true|false` line each (Dock since Android 14). */
const POWERED_KEYS = ['ac powered', 'usb powered', 'wireless powered', 'dock powered'] as const;

const KNOWN_KEYS = new Set<string>([
  ...POWERED_KEYS, 'status', 'health', 'present', 'level', 'scale', 'voltage', 'temperature',
  'charging state', 'charging policy', 'capacity level',
]);

/** `key: value`; the key starts with a letter, so `(UPDATES STOPPED …)` and `[vendor]` lines never match. */
const KEY_LINE = /^\s*([A-Za-z][A-Za-z0-9 _-]*?)\s*:\s*(.*?)\s*$/;

export function parseDumpsysBattery(text: string): DumpsysBattery {
  const fields = new Map<string, string>();
  let updatesStopped = false;
  for (const line of text.split(/\r?\n/)) {
    if (/\(UPDATES STOPPED\b/i.test(line)) updatesStopped = true;
    const m = KEY_LINE.exec(line);
    if (!m) continue;
    const key = m[1]!.toLowerCase();
    if (KNOWN_KEYS.has(key) && !fields.has(key)) fields.set(key, m[2]!);
  }

  const readings: Readings = {};
  const problems: ReadingProblem[] = [];
  if (fields.size === 0) {
    problems.push({ reading: 'battery.present', message: `dumpsys battery: no battery fields in output ${quote(firstLine(text))}` });
    return { readings, problems, updatesStopped };
  }
  const put = (reading: string, result: Parsed<number | boolean | string>) => {
    if ('value' in result) readings[reading] = result.value;
    else if ('problem' in result) problems.push({ reading, message: result.problem });
  };

  put('battery.present', field(fields, 'present', parseBoolean));
  put('power.ac_online', acOnline(fields));
  // A removed battery still has level/status lines (zeros and "unknown"): they describe no battery.
  if (readings['battery.present'] === false) return { readings, problems, updatesStopped };

  put('battery.level_pct', levelPct(fields));
  put('battery.status', field(fields, 'status', (t) => coded(t, STATUS, 'BatteryManager status')));
  put('battery.health', field(fields, 'health', (t) => coded(t, HEALTH, 'BatteryManager health')));
  put('battery.temperature_c', field(fields, 'temperature', measured('battery.temperature_c', 10, 1)));
  put('battery.voltage_v', field(fields, 'voltage', measured('battery.voltage_v', 1000, 3)));
  put('battery.charging_state', field(fields, 'charging state', (t) => coded(t, CHARGING_STATE, 'charging state', [0])));
  put('battery.charging_policy', field(fields, 'charging policy', (t) => coded(t, CHARGING_POLICY, 'charging policy', [0])));
  put('battery.capacity_level', field(fields, 'capacity level', (t) => coded(t, CAPACITY_LEVEL, 'capacity level', [-1])));
  return { readings, problems, updatesStopped };
}

type Parsed<T> = { value: T } | { problem: string } | { absent: true };

function field<T>(fields: Map<string, string>, key: string, parse: (text: string) => Parsed<T>): Parsed<T> {
  const text = fields.get(key);
  if (text === undefined) return { absent: true };
  if (text === '') return { problem: `${key}: empty value` };
  const result = parse(text);
  return 'problem' in result ? { problem: `${key}: ${result.problem}` } : result;
}

function integer(text: string): number | undefined {
  return /^-?\d{1,15}$/.test(text) ? Number(text) : undefined;
}

function parseBoolean(text: string): Parsed<boolean> {
  const lower = text.toLowerCase();
  if (lower === 'true' || lower === 'false') return { value: lower === 'true' };
  return { problem: `${quote(text)} is not true or false` };
}

/** A numeric code; `absentCodes` are the ones the HAL uses for "not reported". */
function coded(text: string, names: Record<number, string>, what: string, absentCodes: number[] = []): Parsed<string> {
  const n = integer(text);
  if (n === undefined) return { problem: `${quote(text)} is not a number` };
  if (absentCodes.includes(n)) return { absent: true };
  const name = names[n];
  return name ? { value: name } : { problem: `${n} is not a ${what} code` };
}

/** An integer ÷ `divisor` (BatteryService's unit → the reading's), inside the reading's physical range. */
function measured(reading: BoundedReading, divisor: number, decimals: number): (text: string) => Parsed<number> {
  return (text) => {
    const n = integer(text);
    return n === undefined ? { problem: `${quote(text)} is not an integer` } : measure(reading, n, divisor, decimals, text);
  };
}

/** level ÷ scale × 100; AOSP always prints scale (100), so a missing one is taken as 100. */
function levelPct(fields: Map<string, string>): Parsed<number> {
  const scale = field<number>(fields, 'scale', (t) => {
    const n = integer(t);
    return n === undefined || n <= 0 ? { problem: `${quote(t)} is not a positive integer` } : { value: n };
  });
  if ('problem' in scale) return scale;
  const max = 'value' in scale ? scale.value : 100;
  return field<number>(fields, 'level', (t) => {
    const n = integer(t);
    if (n === undefined) return { problem: `${quote(t)} is not an integer` };
    return measure('battery.level_pct', n * 100, max, 0, `${n}/${max}`);
  });
}

/** True if any plug kind is powered; false only when every printed one cleanly says false. */
function acOnline(fields: Map<string, string>): Parsed<boolean> {
  const results = POWERED_KEYS.map((key) => field(fields, key, parseBoolean));
  if (results.some((r) => 'value' in r && r.value)) return { value: true };
  const problem = results.find((r) => 'problem' in r);
  if (problem) return problem;
  return results.some((r) => 'value' in r) ? { value: false } : { absent: true };
}

function firstLine(text: string): string {
  return text.trim().split(/\r?\n/, 1)[0] ?? '';
}

/** Shows foreign text safely in a problem message: JSON-quoted and cut short. */
function quote(text: string): string {
  return JSON.stringify(text.length > 48 ? `${text.slice(0, 48)}…` : text);
}
