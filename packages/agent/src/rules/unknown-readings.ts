import type { Observation } from '../core/readings.js';

/**
 * The readings an observation names a problem for and gives no value: the device has them, this poll
 * could not read them (garbage, an impossible value, an unreadable file). The rule engine keeps them
 * apart from readings the device does not report at all: an unknown reading neither raises nor clears
 * a fault, an absent one clears it.
 */
export function unknownReadings(observation: Observation): string[] {
  const names: string[] = [];
  for (const problem of observation.problems ?? []) {
    const name = problem.reading;
    if (name !== undefined && observation.readings[name] === undefined && !names.includes(name)) names.push(name);
  }
  return names;
}
