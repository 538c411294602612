import type { ReadingProblem, Readings } from '../../core/readings.js';
import type { AttributeRead } from '../../drivers/transports/sysfs.js';

/**
 * Pure parsing of one interface's `<sysfs>/class/net/<if>/` attributes (kernel sysfs-class-net ABI,
 * protocols.md §6) into SPEC §4 readings named `network.<if>.*`.
 *
 * Invariants: nothing here throws; a missing attribute gives no reading (never zero); a value that does
 * not parse gives a ReadingProblem and no reading. `up` is false whenever the kernel says the link cannot
 * carry traffic, and absent only when neither operstate nor carrier can be read.
 */

/** Where the kernel lists network interfaces, relative to the sysfs root. */
export const NET_CLASS = 'class/net';

/** Attributes read directly under `class/net/<if>/`. */
export const LINK_ATTRIBUTES = ['operstate', 'carrier', 'carrier_changes', 'carrier_up_count', 'carrier_down_count', 'speed'] as const;

/** Error counters read under `class/net/<if>/statistics/`, reported under their own names. */
export const ERROR_COUNTERS = [
  'rx_errors', 'tx_errors', 'rx_dropped', 'tx_dropped', 'rx_crc_errors', 'rx_missed_errors', 'tx_carrier_errors', 'collisions',
] as const;

export type LinkAttribute = (typeof LINK_ATTRIBUTES)[number];
export type ErrorCounter = (typeof ERROR_COUNTERS)[number];
export type InterfaceReads = Record<LinkAttribute | ErrorCounter, AttributeRead>;

/** RFC 2863 operational states as the kernel spells them. */
const OPERSTATES = new Set(['unknown', 'notpresent', 'down', 'lowerlayerdown', 'testing', 'dormant', 'up']);

/**
 * The reading-name segment of an interface. Rules match `network.*.up` with `*` standing for one
 * dot-free segment, so a VLAN interface `eth0.100` reports as `network.eth0_100.*`.
 */
export function interfaceSegment(name: string): string {
  return name.replaceAll('.', '_');
}

/**
 * The kernel answers EINVAL when `carrier` is read on an administratively down interface. The sysfs
 * transport reports the errno code at the end of its message (`<path>: EINVAL`).
 */
export function isInvalidArgument(read: AttributeRead): boolean {
  return read.kind === 'unreadable' && /(^|\W)EINVAL$/.test(read.message);
}

export interface InterfaceState {
  readings: Readings;
  problems: ReadingProblem[];
  /** Total carrier changes since the interface appeared (for the flap window); undefined when unknown. */
  carrierChanges?: number;
}

/** Readings of an interface the kernel does not have (operstate is always there for one that exists). */
export function notPresentReadings(name: string): Readings {
  const p = `network.${interfaceSegment(name)}`;
  return { [`${p}.up`]: false, [`${p}.operstate`]: 'notpresent' };
}

export function parseInterface(name: string, reads: InterfaceReads): InterfaceState {
  if (reads.operstate.kind === 'missing') return { readings: notPresentReadings(name), problems: [] };
  const p = `network.${interfaceSegment(name)}`;
  const readings: Readings = {};
  const problems: ReadingProblem[] = [];
  const problem = (reading: string, message: string) => problems.push({ reading, message });

  const operstate = parseOperstate(reads.operstate);
  if (typeof operstate === 'string') readings[`${p}.operstate`] = operstate;
  else if (operstate) problem(`${p}.operstate`, operstate.problem);

  const carrier = parseCarrier(reads.carrier);
  if (typeof carrier === 'boolean') readings[`${p}.carrier`] = carrier;
  else if (carrier) problem(`${p}.carrier`, carrier.problem);

  const up = linkUp(typeof operstate === 'string' ? operstate : undefined, typeof carrier === 'boolean' ? carrier : undefined);
  if (up !== undefined) readings[`${p}.up`] = up;

  // speed is -1 (or its u32 twin) when unknown and EINVAL on a link that is down: both mean "no speed".
  if (reads.speed.kind === 'value') {
    const speed = parseCount(reads.speed.text, true);
    if (speed === undefined) problem(`${p}.speed_mbps`, `speed: not a number: ${JSON.stringify(reads.speed.text)}`);
    else if (speed > 0 && speed < 0xffffffff) readings[`${p}.speed_mbps`] = speed;
  }

  let carrierChanges: number | undefined;
  for (const attr of ['carrier_changes', 'carrier_up_count', 'carrier_down_count'] as const) {
    const value = counter(reads[attr], `${p}.${attr}`, problems);
    if (value !== undefined) readings[`${p}.${attr}`] = value;
    if (attr === 'carrier_changes') carrierChanges = value;
  }
  // Kernels that split the count but lack the total (none known, but the ABI allows it) still flap-count.
  const ups = readings[`${p}.carrier_up_count`];
  const downs = readings[`${p}.carrier_down_count`];
  if (carrierChanges === undefined && typeof ups === 'number' && typeof downs === 'number') carrierChanges = ups + downs;

  for (const name of ERROR_COUNTERS) {
    const value = counter(reads[name], `${p}.${name}`, problems);
    if (value !== undefined) readings[`${p}.${name}`] = value;
  }
  return carrierChanges === undefined ? { readings, problems } : { readings, problems, carrierChanges };
}

/**
 * Up means able to carry traffic. operstate `unknown` is common on virtual and tether links, so carrier
 * decides there; a carrier known to be lost overrides an `up` operstate.
 */
function linkUp(operstate: string | undefined, carrier: boolean | undefined): boolean | undefined {
  if (operstate === 'up') return carrier !== false;
  if (operstate === undefined || operstate === 'unknown') return carrier;
  return false;
}

function parseOperstate(read: AttributeRead): string | { problem: string } | undefined {
  if (read.kind === 'missing') return undefined;
  if (read.kind === 'unreadable') return { problem: read.message };
  const word = read.text.toLowerCase();
  return OPERSTATES.has(word) ? word : { problem: `operstate: not an RFC 2863 state: ${JSON.stringify(read.text)}` };
}

function parseCarrier(read: AttributeRead): boolean | { problem: string } | undefined {
  if (isInvalidArgument(read)) return false;
  if (read.kind === 'missing') return undefined;
  if (read.kind === 'unreadable') return { problem: read.message };
  if (read.text === '1') return true;
  if (read.text === '0') return false;
  return { problem: `carrier: not 0 or 1: ${JSON.stringify(read.text)}` };
}

function counter(read: AttributeRead, reading: string, problems: ReadingProblem[]): number | undefined {
  if (read.kind === 'missing') return undefined;
  if (read.kind === 'unreadable') {
    problems.push({ reading, message: read.message });
    return undefined;
  }
  const value = parseCount(read.text, false);
  if (value === undefined) problems.push({ reading, message: `${reading.split('.').pop()}: not a counter: ${JSON.stringify(read.text)}` });
  return value;
}

/** A decimal integer (optionally signed); undefined for anything else, including a truncated "12a". */
function parseCount(text: string, signed: boolean): number | undefined {
  if (!(signed ? /^-?\d{1,20}$/ : /^\d{1,20}$/).test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}
