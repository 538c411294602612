/**
 * IEEE 1284 device ID, as USB printer-class GET_DEVICE_ID returns it (protocols.md §2): a 2-byte
 * length counting itself, then `KEY:value[,value];` pairs. Pure, total: malformed input yields fewer
 * fields, never a throw.
 */

export interface Ieee1284Id {
  /** Every pair as sent (keys case-sensitive, values trimmed). */
  fields: Record<string, string>;
  manufacturer?: string;
  model?: string;
  /** COMMAND SET values, e.g. ["ESC/POS"]. */
  commandSet: string[];
  serial?: string;
  description?: string;
  /** How the length prefix was read: per the standard, little-endian (firmware bug CUPS also tolerates), or not usable. */
  lengthOrder: 'big' | 'little' | 'invalid';
}

const MAX_VALUE = 256;
const ALIASES: Record<string, 'manufacturer' | 'model' | 'commandSet' | 'serial' | 'description'> = {
  MFG: 'manufacturer',
  MANUFACTURER: 'manufacturer',
  MDL: 'model',
  MODEL: 'model',
  CMD: 'commandSet',
  'COMMAND SET': 'commandSet',
  SN: 'serial',
  SERN: 'serial',
  SERIALNUMBER: 'serial',
  DES: 'description',
  DESCRIPTION: 'description',
};

/** GET_DEVICE_ID reply bytes → fields. Big-endian length first; little-endian when that does not fit. */
export function parseDeviceId(raw: Uint8Array): Ieee1284Id {
  if (raw.length < 2) return { ...parseDeviceIdText(''), lengthOrder: 'invalid' };
  const big = (raw[0]! << 8) | raw[1]!;
  const little = (raw[1]! << 8) | raw[0]!;
  const fits = (n: number) => n >= 2 && n <= raw.length;
  const [end, lengthOrder] = fits(big) ? [big, 'big' as const] : fits(little) ? [little, 'little' as const] : [raw.length, 'invalid' as const];
  const text = Buffer.from(raw.subarray(2, end)).toString('latin1');
  return { ...parseDeviceIdText(text), lengthOrder };
}

/**
 * The text part alone: what Linux usblp shows in `/sys/class/usbmisc/lpN/device/ieee1284_id`
 * (it strips the length prefix).
 */
export function parseDeviceIdText(text: string): Omit<Ieee1284Id, 'lengthOrder'> {
  const clean = text.split('\0')[0]!.replace(/[\u0000-\u001f\u007f]/g, '');
  const fields: Record<string, string> = {};
  for (const pair of clean.split(';')) {
    const colon = pair.indexOf(':');
    if (colon <= 0) continue; // no key: not a pair
    const key = pair.slice(0, colon).trim();
    const value = pair.slice(colon + 1).trim().slice(0, MAX_VALUE);
    if (key && !(key in fields)) fields[key] = value;
  }
  const out: Omit<Ieee1284Id, 'lengthOrder'> = { fields, commandSet: [] };
  for (const [key, value] of Object.entries(fields)) {
    const field = ALIASES[key];
    if (!field || !value) continue;
    if (field === 'commandSet') {
      if (out.commandSet.length === 0) out.commandSet = value.split(',').map((v) => v.trim()).filter(Boolean);
    } else out[field] ??= value;
  }
  return out;
}
