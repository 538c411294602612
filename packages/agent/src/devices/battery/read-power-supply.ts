import type { ReadingProblem } from '../../core/readings.js';
import { listDirectory, parseUevent, readAttribute } from '../../drivers/transports/sysfs.js';
import { POWER_SUPPLY_ATTRIBUTES, READING_OF_ATTRIBUTE, type PowerSupplyAttributes } from './power-supply.js';

/** Where the kernel lists power supplies, relative to the sysfs root. */
export const POWER_SUPPLY_CLASS = 'class/power_supply';

export interface PowerSupply {
  name: string;
  attrs: PowerSupplyAttributes;
  /** Attributes that exist but could not be read, with no `uevent` value to stand in. */
  problems: ReadingProblem[];
}

/** Names under `<sysfs>/class/power_supply`, sorted (an absent class is an empty list). */
export function listPowerSupplies(sysfsRoot: string): Promise<string[]> {
  return listDirectory(sysfsRoot, POWER_SUPPLY_CLASS);
}

/**
 * The attributes of one supply. Per-attribute files win; `uevent` (POWER_SUPPLY_<ATTR>=value) fills in
 * what has no file or whose file cannot be read, because some drivers expose a property only there.
 */
export async function readPowerSupply(sysfsRoot: string, name: string, signal?: AbortSignal): Promise<PowerSupply> {
  const dir = `${POWER_SUPPLY_CLASS}/${name}`;
  const [uevent, ...reads] = await Promise.all([
    readAttribute(sysfsRoot, `${dir}/uevent`, signal),
    ...POWER_SUPPLY_ATTRIBUTES.map((attr) => readAttribute(sysfsRoot, `${dir}/${attr}`, signal)),
  ]);
  const fromUevent = uevent!.kind === 'value' ? ueventAttributes(uevent.text) : {};
  const attrs: PowerSupplyAttributes = {};
  const problems: ReadingProblem[] = [];
  POWER_SUPPLY_ATTRIBUTES.forEach((attr, i) => {
    const read = reads[i]!;
    const fallback = fromUevent[attr];
    if (read.kind === 'value') attrs[attr] = read.text;
    else if (fallback !== undefined) attrs[attr] = fallback;
    else if (read.kind === 'unreadable') problems.push({ reading: READING_OF_ATTRIBUTE[attr], message: read.message });
  });
  return { name, attrs, problems };
}

/** POWER_SUPPLY_VOLTAGE_NOW=… → voltage_now; keys without the prefix are not attributes. */
function ueventAttributes(text: string): PowerSupplyAttributes {
  const attrs: PowerSupplyAttributes = {};
  for (const [key, value] of Object.entries(parseUevent(text))) {
    if (key.startsWith('POWER_SUPPLY_')) attrs[key.slice('POWER_SUPPLY_'.length).toLowerCase()] = value;
  }
  return attrs;
}
