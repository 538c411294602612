import { ConfigError, loadConfig } from '../config/load.js';
import { didYouMean, readNamedFile } from 'posdiag-protocol/cli';
import type { Config } from '../config/schema.js';

export const DEFAULT_CONFIG_FILE = '/etc/posdiag/config.json';

export const configFlag = {
  type: 'string',
  description: `config file (default $POSDIAG_CONFIG or ${DEFAULT_CONFIG_FILE})`,
  valueName: 'FILE',
} as const;

/** The config file named by --config, else $POSDIAG_CONFIG, else the system default. */
export function configFile(flag: string | undefined): string {
  return flag ?? process.env.POSDIAG_CONFIG ?? DEFAULT_CONFIG_FILE;
}

export function loadConfigFlag(flag: string | undefined): Config {
  return loadConfig(configFile(flag));
}

/**
 * The config of a command that runs the rules (run, self-test, status, bundle), with what it names for
 * them checked before any device is opened: each `rules.files` entry readable (else exit 66 / 77 naming
 * the entry) and valid, and each `rules.thresholds` name one those rules define (else exit 78 naming
 * `rules.thresholds.NAME`, with the nearest known name). The rule engine checks the same again; this
 * says it in the config's words.
 */
export async function loadAgentConfig(flag: string | undefined): Promise<Config> {
  const file = configFile(flag);
  const config = loadConfig(file);
  // Loaded here, not at the top: `posdiag log` and `enroll` read the config too and need no rules.
  const { loadDefaultRules, loadRuleFile } = await import('../rules/rule-files.js');
  const sets = [await loadDefaultRules()];
  for (const [i, ruleFile] of config.rules.files.entries()) {
    readNamedFile(ruleFile, `rules.files[${i}]`);
    sets.push(await loadRuleFile(ruleFile));
  }
  const known = sets.flatMap((set) => Object.keys(set.thresholds));
  for (const name of Object.keys(config.rules.thresholds)) {
    if (known.includes(name)) continue;
    const hint = didYouMean(name, known) || ` (known: ${byPrefix(known).join(', ')})`;
    throw new ConfigError(`config file ${file}: rules.thresholds.${name}: unknown threshold${hint}`);
  }
  return config;
}

/**
 * Threshold names grouped by their first segment (`battery`, `card_reader`, …) in alphabetical order,
 * each group as its rule file defines it: the list reads the same whatever order the device families
 * are registered in.
 */
function byPrefix(names: string[]): string[] {
  const prefix = (name: string) => name.split('.')[0]!;
  return [...names].sort((a, b) => prefix(a).localeCompare(prefix(b)));
}
