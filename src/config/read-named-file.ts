import { readFileSync } from 'node:fs';
import { ConfigError } from './load.js';

/** A file the configuration names (`what`: the key or flag), as text; one that cannot be read is a config error (exit 78). */
export function readNamedFile(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`${what}: cannot read ${file}: ${(err as Error).message}`);
  }
}
