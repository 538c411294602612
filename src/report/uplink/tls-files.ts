import { readFileSync } from 'node:fs';
import { ConfigError } from '../../config/load.js';
import type { Config } from '../../config/schema.js';

/** The PEM files `uplink.ca`, `uplink.cert` and `uplink.key` name, read at start; one that cannot be read is a config error. */
export function readUplinkTlsFiles(uplink: NonNullable<Config['uplink']>): { ca?: string; cert?: string; key?: string } {
  const out: { ca?: string; cert?: string; key?: string } = {};
  for (const key of ['ca', 'cert', 'key'] as const) {
    const file = uplink[key];
    if (!file) continue;
    try {
      out[key] = readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError(`uplink.${key}: cannot read ${file}: ${(err as Error).message}`);
    }
  }
  return out;
}
