import { outOfRange, type PhysicalRange } from '../../drivers/physical-range.js';

/**
 * What a battery can physically report, in the units of its readings (SPEC §4), for the sysfs and the
 * dumpsys parser alike (physical-range.ts says what happens to a value outside). The ranges are
 * deliberately wide — they catch the impossible, not the unusual; the rules' thresholds (overheat at
 * 55 °C, worn below 80 %) sit well inside them.
 */
export const BATTERY_RANGES = {
  // Li-ion cells are damaged beyond −40…+85 °C (the storage limits of cell datasheets and IEC 62133);
  // a pack that reads outside −40…+100 °C is a broken or unplugged thermistor, not a hot battery.
  'battery.temperature_c': { min: -40, max: 100, unit: '°C', why: 'no battery survives that: a broken sensor' },
  // One Li-ion cell lives between its ~2.5 V protection cut-off and 4.5 V; terminal packs are 1–2 cells,
  // the largest mobile packs 4 (17 V). Under 1 V a battery that says it is present was not measured (a
  // gauge that lost the cell reads 0); over 30 V is no pack a terminal holds.
  'battery.voltage_v': { min: 1, max: 30, unit: 'V', why: 'not the voltage of a battery that is present' },
  'battery.level_pct': { min: 0, max: 100, unit: '%', why: 'not a charge level' },
  // full ÷ design: a new cell ships at up to ~110 % of its rating and an unlearned gauge overshoots a
  // little more; past 130 % (or under 1 %, with the battery still powering the terminal) the two
  // figures contradict each other.
  'battery.capacity_health_pct': { min: 1, max: 130, unit: '%', why: 'full and design capacity contradict each other' },
  // Li-ion lives 500–3,000 full cycles (LFP up to ~10,000); 20,000 is decades of daily cycling.
  'battery.cycle_count': { min: 1, max: 20_000, unit: 'cycles', why: 'more cycles than any cell lives' },
} as const satisfies Record<string, PhysicalRange>;

export type BoundedReading = keyof typeof BATTERY_RANGES;

/**
 * Capacity figures that must agree with each other (sysfs gives both charge_* in µAh and energy_* in
 * µWh on some gauges, and the present charge beside the full one).
 */
export const CAPACITY_CONSISTENCY = {
  // The present charge tops the learned full charge by a few % while a gauge relearns after a full
  // charge; by more than 25 % the full figure (and the wear computed from it) is wrong.
  nowOverFullMax: 1.25,
  // charge_full ÷ charge_full_design and energy_full ÷ energy_full_design describe the same wear; they
  // differ by the voltage the gauge assumed (a few points), not by 20.
  chargeEnergyGapPts: 20,
} as const;

/**
 * `n` (an integer as the source gives it) ÷ `divisor`, rounded to `decimals`, if `reading` can have that
 * value. The range is checked before rounding, so 256 of a scale of 255 is not rounded into 100 %.
 */
export function measure(reading: BoundedReading, n: number, divisor: number, decimals: number, raw: string): { value: number } | { problem: string } {
  const exact = n / divisor;
  const problem = outOfRange(BATTERY_RANGES[reading], exact, raw);
  if (problem !== undefined) return { problem };
  const factor = 10 ** decimals;
  return { value: Math.round(exact * factor) / factor };
}
