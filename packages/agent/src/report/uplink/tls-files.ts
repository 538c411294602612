import { readNamedFile } from 'posdiag-protocol/cli';
import type { Config } from '../../config/schema.js';

/** The PEM files `uplink.ca`, `uplink.cert` and `uplink.key` name, read at start; one that cannot be read is a config error. */
export function readUplinkTlsFiles(uplink: NonNullable<Config['uplink']>): { ca?: string; cert?: string; key?: string } {
  const out: { ca?: string; cert?: string; key?: string } = {};
  for (const key of ['ca', 'cert', 'key'] as const) {
    const file = uplink[key];
    if (file) out[key] = readNamedFile(file, `uplink.${key}`);
  }
  return out;
}
