import type { ReadingProblem, Readings } from '../../core/readings.js';
import { outOfRange } from '../../drivers/physical-range.js';
import { SYSTEM_RANGES } from './system-ranges.js';

/**
 * Pure parsing of `/proc/meminfo` (`Key:   value kB` lines) into `system.mem_available_pct`
 * = MemAvailable ÷ MemTotal × 100.
 *
 * Kernels before 3.14 (old Android terminals) have no MemAvailable; there the estimate `free` used
 * before it, MemFree + Buffers + Cached, stands in. Invariants: a missing or garbled value, or more
 * available than total (system-ranges.ts), gives a ReadingProblem quoting the values and no reading;
 * nothing here throws.
 */
export const MEM_READING = 'system.mem_available_pct';

export function parseMeminfo(text: string): { readings: Readings; problems: ReadingProblem[] } {
  const values = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z0-9_()]+):\s*(.*?)\s*$/.exec(line);
    if (m && !values.has(m[1]!)) values.set(m[1]!, m[2]!);
  }
  const fail = (message: string) => ({ readings: {}, problems: [{ reading: MEM_READING, message: `meminfo: ${message}` }] });

  const total = kilobytes(values, 'MemTotal');
  if (typeof total === 'string') return fail(total);
  if (total === 0) return fail('MemTotal is 0');

  let available = kilobytes(values, 'MemAvailable');
  let availableName = 'MemAvailable';
  if (!values.has('MemAvailable')) {
    availableName = 'MemFree + Buffers + Cached';
    const parts = ['MemFree', 'Buffers', 'Cached'].map((key) => kilobytes(values, key));
    const bad = parts.find((p) => typeof p === 'string');
    available = bad ?? (parts as number[]).reduce((a, b) => a + b, 0);
  }
  if (typeof available === 'string') return fail(available);
  const pct = (available / total) * 100;
  const impossible = outOfRange(SYSTEM_RANGES[MEM_READING], pct, `${availableName} ${available} kB / MemTotal ${total} kB`);
  if (impossible) return fail(impossible);
  return { readings: { [MEM_READING]: Math.round(pct * 10) / 10 }, problems: [] };
}

/** A value in kB, or why there is none. */
function kilobytes(values: Map<string, string>, key: string): number | string {
  const text = values.get(key);
  if (text === undefined) return `${key} missing`;
  const m = /^(\d{1,15})(?: kB)?$/.exec(text);
  return m ? Number(m[1]) : `${key}: ${JSON.stringify(text.slice(0, 32))} is not a size in kB`;
}
