import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TerminalInventory } from 'posdiag-protocol';
import type { Config } from '../config/schema.js';

export interface TerminalIdentity {
  id: string;
  model: string;
  serial: string;
  purchaseDate?: string;
}

/**
 * Where Linux exposes a board serial, relative to the sysfs root: x86 DMI, device-tree boards (most ARM
 * terminals), and Qualcomm SoCs.
 */
const SERIAL_FILES = ['class/dmi/id/product_serial', 'firmware/devicetree/base/serial-number', 'devices/soc0/serial_number'];

/** The terminal as reports name it; `serial: "auto"` is read from the system, else "unknown". */
export function resolveTerminal(config: Config): TerminalIdentity {
  const { id, model, serial, purchaseDate } = config.terminal;
  const resolved = serial === 'auto' ? readSystemSerial(config.paths.sysfs) ?? 'unknown' : serial;
  return { id, model, serial: resolved, ...(purchaseDate ? { purchaseDate } : {}) };
}

/**
 * What the agent tells the hub of its terminal in `hello`: the identity's model and serial, without the
 * "unknown" it stands in with. No firmware: the identity holds none, and none is guessed.
 */
export function terminalInventory(identity: TerminalIdentity): TerminalInventory {
  const known = (value: string) => (value === 'unknown' ? undefined : value);
  const model = known(identity.model);
  const serial = known(identity.serial);
  return { ...(model ? { model } : {}), ...(serial ? { serial } : {}) };
}

function readSystemSerial(sysfs: string): string | undefined {
  for (const file of SERIAL_FILES) {
    try {
      // Device-tree strings end in NUL; DMI placeholders are common on white-box boards.
      const value = readFileSync(join(sysfs, file), 'latin1').replace(/\0/g, '').trim();
      if (value && !/^(to be filled|default string|none|0+)$/i.test(value)) return value.slice(0, 128);
    } catch {
      // Absent or unreadable (DMI serials are root-only): try the next source.
    }
  }
  return undefined;
}
