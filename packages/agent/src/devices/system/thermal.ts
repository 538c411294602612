import type { ReadingProblem, Readings } from '../../core/readings.js';
import { outOfRange } from '../../drivers/physical-range.js';
import { SYSTEM_RANGES, THERMAL_UNSET_RAW } from './system-ranges.js';

/**
 * Pure selection of the CPU temperature from Linux thermal zones
 * (`<sysfs>/class/thermal/thermal_zone<N>/{type,temp}`, temp in millidegrees Celsius).
 *
 * `system.cpu_temp_c` is the hottest CPU-ish zone; when no zone's type looks like a CPU (an unknown SoC,
 * ACPI-only PCs), the hottest of all zones, because a terminal that overheats somewhere still overheats.
 *
 * Invariants: a zone with no readable temp is skipped (disabled zones answer EINVAL/ENODATA); a temp
 * that is not an integer, is exactly 0, or is outside a CPU's physical range (system-ranges.ts) is a
 * ReadingProblem quoting the raw value and is skipped; no zone at
 * all gives no reading and no problem (containers, VMs); nothing here throws.
 */
export const CPU_TEMP_READING = 'system.cpu_temp_c';

export interface ThermalZone {
  /** Directory name, e.g. "thermal_zone3". */
  zone: string;
  type?: string;
  /** Trimmed text of `temp`, absent when the file is missing or unreadable. */
  temp?: string;
}

/**
 * Zone types that measure the CPU: Intel `x86_pkg_temp`, `coretemp`, AMD `k10temp`, ARM `cpu_thermal`,
 * `cpu-0-0-usr` / `cpuss-0` (Qualcomm), `mtktscpu` (MediaTek), `soc-thermal` / `soc_thermal`
 * (Rockchip, Amlogic), `tsens*`, `BIG`/`MID`/`LITTLE` clusters. A bare `soc` is not in the list: on
 * Pixel-class phones that zone is the battery's state of charge, not a temperature.
 */
const CPU_TYPE = /cpu|x86_pkg_temp|coretemp|k10temp|soc[-_]thermal|tsens|cluster|^(big|mid|little)$/i;

export function isCpuZone(type: string | undefined): boolean {
  return type !== undefined && CPU_TYPE.test(type);
}

export function parseThermalZones(zones: ThermalZone[]): { readings: Readings; problems: ReadingProblem[]; evidence: Record<string, string> } {
  const cpu = zones.filter((z) => isCpuZone(z.type));
  const candidates = cpu.length > 0 ? cpu : zones;
  const problems: ReadingProblem[] = [];
  let hottest: { zone: ThermalZone; celsius: number } | undefined;
  for (const zone of candidates) {
    if (zone.temp === undefined) continue;
    const celsius = toCelsius(zone.temp);
    if (typeof celsius === 'string') {
      problems.push({ reading: CPU_TEMP_READING, message: `${zone.zone}/temp: ${celsius}` });
      continue;
    }
    if (!hottest || celsius > hottest.celsius) hottest = { zone, celsius };
  }
  if (!hottest) return { readings: {}, problems, evidence: {} };
  const label = hottest.zone.type ? `${hottest.zone.zone} (${hottest.zone.type})` : hottest.zone.zone;
  return { readings: { [CPU_TEMP_READING]: hottest.celsius }, problems, evidence: { 'system.cpu_temp_zone': label } };
}

/**
 * Millidegrees per the ABI. Some old vendor kernels report whole degrees (`45`); no CPU runs within
 * ±1 °C of freezing, so a magnitude below 1000 is taken as degrees.
 */
function toCelsius(text: string): number | string {
  if (!/^-?\d{1,9}$/.test(text)) return `${JSON.stringify(text.slice(0, 32))} is not an integer`;
  if (text === THERMAL_UNSET_RAW) return `${text}: the zone is disabled or was never updated`;
  const raw = Number(text);
  const celsius = Math.abs(raw) >= 1000 ? raw / 1000 : raw;
  return outOfRange(SYSTEM_RANGES['system.cpu_temp_c'], celsius, text) ?? Math.round(celsius * 10) / 10;
}
