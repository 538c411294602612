import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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
