import { readAttribute } from '../../drivers/transports/sysfs.js';
import { ERROR_COUNTERS, LINK_ATTRIBUTES, NET_CLASS, parseInterface, type InterfaceReads, type InterfaceState } from './interface-readings.js';

/** The sysfs read the interface reader uses; a seam so tests can make the kernel answer EINVAL. */
export type ReadAttribute = typeof readAttribute;

/** Reads every attribute of `<sysfsRoot>/class/net/<name>/` concurrently and parses them. */
export async function readInterface(
  sysfsRoot: string,
  name: string,
  signal?: AbortSignal,
  read: ReadAttribute = readAttribute,
): Promise<InterfaceState> {
  const dir = `${NET_CLASS}/${name}`;
  const [links, counters] = await Promise.all([
    Promise.all(LINK_ATTRIBUTES.map((attr) => read(sysfsRoot, `${dir}/${attr}`, signal))),
    Promise.all(ERROR_COUNTERS.map((attr) => read(sysfsRoot, `${dir}/statistics/${attr}`, signal))),
  ]);
  const reads = {} as InterfaceReads;
  LINK_ATTRIBUTES.forEach((attr, i) => (reads[attr] = links[i]!));
  ERROR_COUNTERS.forEach((attr, i) => (reads[attr] = counters[i]!));
  return parseInterface(name, reads);
}
