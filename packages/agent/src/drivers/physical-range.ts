/**
 * A sensor's physical range in the units of its reading. A value outside is a broken sensor or a
 * confused gauge, never the device's state: the parser reports it as a ReadingProblem quoting the raw
 * value and emits no reading, so no fault can fire from it. Each device family keeps its ranges in one
 * table (devices/battery/battery-ranges.ts, devices/system/system-ranges.ts) saying where each bound comes from.
 */
export interface PhysicalRange {
  min: number;
  max: number;
  unit: string;
  /** Why a value outside is impossible: ends the problem message. */
  why: string;
}

/**
 * Why `value` (parsed from `raw`) cannot come from a working sensor of `range`, or undefined when it
 * can: e.g. `9000 = 900 °C is outside -40..100 °C: no battery survives that: a broken sensor`.
 */
export function outOfRange(range: PhysicalRange, value: number, raw: string): string | undefined {
  if (value >= range.min && value <= range.max) return undefined;
  const shown = Number(value.toPrecision(6));
  return `${String(shown) === raw ? raw : `${raw} = ${shown} ${range.unit}`} is outside ${range.min}..${range.max} ${range.unit}: ${range.why}`;
}
