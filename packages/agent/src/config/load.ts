import { parseConfigValue } from 'posdiag-protocol';
import { readTextFile } from 'posdiag-protocol/cli';
import { ConfigError } from './config-error.js';
import { configSchema, type Config } from './schema.js';

export { ConfigError };

/** Validates a parsed JSON value; the error names every bad key path and what was expected. */
export function parseConfig(value: unknown, source = 'config'): Config {
  return parseConfigValue(configSchema, value, source);
}

export function loadConfig(file: string): Config {
  const text = readTextFile(file, `cannot read config file ${file}`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`config file ${file} is not valid JSON: ${(err as Error).message}`);
  }
  return parseConfig(value, `config file ${file}`);
}
