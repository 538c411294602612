import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';

export const DEFAULT_CONFIG_FILE = '/etc/posdiag/config.json';

export const configFlag = {
  type: 'string',
  description: `config file (default $POSDIAG_CONFIG or ${DEFAULT_CONFIG_FILE})`,
  valueName: 'FILE',
} as const;

/** The config named by --config, else $POSDIAG_CONFIG, else the system default. */
export function loadConfigFlag(file: string | undefined): Config {
  return loadConfig(file ?? process.env.POSDIAG_CONFIG ?? DEFAULT_CONFIG_FILE);
}
