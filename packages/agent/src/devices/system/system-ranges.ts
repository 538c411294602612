import type { PhysicalRange } from '../../drivers/physical-range.js';

/** What the terminal's own sensors can physically report (physical-range.ts says what happens outside). */
export const SYSTEM_RANGES = {
  // Thermal zones give millidegrees (Documentation/ABI/testing/sysfs-class-thermal). A terminal works at
  // −20…+50 °C ambient and a SoC shuts itself down at its 105–125 °C junction limit (150 °C for
  // automotive grade), so a CPU reading under −40 °C or over 150 °C is a broken or unset sensor: common
  // ones read −273 °C (−273150, "no sensor") or 255 °C (255000, an unset register).
  'system.cpu_temp_c': { min: -40, max: 150, unit: '°C', why: 'not a temperature a working CPU sensor reports' },
  // MemAvailable ÷ MemTotal: more available than there is means the counters are wrong.
  'system.mem_available_pct': { min: 0, max: 100, unit: '%', why: 'more memory available than there is' },
  // statfs bavail ÷ blocks: more blocks free than the filesystem has means the counts are wrong.
  'system.disk_free_pct': { min: 0, max: 100, unit: '%', why: 'more blocks free than the filesystem has' },
} as const satisfies Record<string, PhysicalRange>;

/** A thermal zone that is disabled or never updated reads exactly 0: no CPU runs at exactly 0.000 °C. */
export const THERMAL_UNSET_RAW = '0';
