import type { ReadingProblem, Readings } from '../../core/readings.js';
import { interfaceSegment } from './interface-readings.js';

/**
 * Pure parser of `/proc/net/wireless` (torvalds/linux net/wireless/wext-proc.c, protocols.md §6): two
 * header lines, then one line per wireless interface:
 *   `%6s: %04x  %3d%c  %3d%c  %3d%c  %6d %6d %6d %6d %6d   %6d`
 * status, link quality, level, noise (each number followed by `.` when updated), discarded nwid, crypt,
 * frag, retry, misc, missed beacons.
 *
 * Units: drivers that report dBm have 256 subtracted from the u8 the kernel holds, so their level and
 * noise are negative and −256 means "not reported"; other drivers give relative values (0–100 or so),
 * which are not dBm and must never be reported as such.
 */

export type Level = { unit: 'dbm'; value: number } | { unit: 'relative'; value: number } | { unit: 'none' };

export interface WirelessStats {
  interface: string;
  status: number;
  linkQuality: number;
  level: Level;
  noise: Level;
  missedBeacons: number;
}

export interface ParsedWireless {
  stats: Map<string, WirelessStats>;
  problems: ReadingProblem[];
}

/** The u8 0 minus 256: a dBm driver that has no value. */
const NOT_REPORTED = -256;

export function parseProcNetWireless(text: string): ParsedWireless {
  const stats = new Map<string, WirelessStats>();
  const problems: ReadingProblem[] = [];
  for (const line of text.split('\n')) {
    // Header lines are the ones with column bars; blank lines carry nothing.
    if (line.trim() === '' || line.includes('|')) continue;
    const parsed = parseLine(line);
    if (parsed) stats.set(parsed.interface, parsed);
    else problems.push({ message: `net/wireless: unparseable line ${JSON.stringify(line.slice(0, 120))}` });
  }
  return { stats, problems };
}

const NUMBER = /^(-?\d+)\.?$/;

function parseLine(line: string): WirelessStats | undefined {
  const colon = line.indexOf(':');
  if (colon < 0) return undefined;
  const name = line.slice(0, colon).trim();
  const fields = line.slice(colon + 1).trim().split(/\s+/);
  if (name === '' || /\s/.test(name) || fields.length !== 10) return undefined;
  if (!/^[0-9a-fA-F]{1,4}$/.test(fields[0]!)) return undefined;
  const values = fields.slice(1).map((f) => NUMBER.exec(f)?.[1]);
  if (values.some((v) => v === undefined)) return undefined;
  const [quality, level, noise, , , , , , beacons] = values.map(Number) as number[];
  return {
    interface: name,
    status: parseInt(fields[0]!, 16),
    linkQuality: quality!,
    level: classifyLevel(level!),
    noise: classifyLevel(noise!),
    missedBeacons: beacons!,
  };
}

function classifyLevel(value: number): Level {
  if (value <= NOT_REPORTED) return { unit: 'none' };
  return value < 0 ? { unit: 'dbm', value } : { unit: 'relative', value };
}

/** `network.<if>.signal_dbm` only for a dBm driver; a relative level is reported under its own name. */
export function wirelessReadings(stats: WirelessStats): Readings {
  const p = `network.${interfaceSegment(stats.interface)}`;
  const readings: Readings = { [`${p}.link_quality`]: stats.linkQuality, [`${p}.missed_beacons`]: stats.missedBeacons };
  if (stats.level.unit === 'dbm') readings[`${p}.signal_dbm`] = stats.level.value;
  if (stats.level.unit === 'relative') readings[`${p}.signal_relative`] = stats.level.value;
  if (stats.noise.unit === 'dbm') readings[`${p}.noise_dbm`] = stats.noise.value;
  return readings;
}
