import { z } from 'zod';
import { readTextFile } from 'posdiag-protocol/cli';
import { ConfigError } from './config-error.js';
import { configSchema, type Config } from './schema.js';

export { ConfigError };

/** Validates a parsed JSON value; the error names every bad key path and what was expected. */
export function parseConfig(value: unknown, source = 'config'): Config {
  const result = configSchema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${formatPath(issue.path)}: ${describeIssue(issue)}`);
  // One problem is one line (what a terminal's console shows whole); several are listed under a heading.
  if (problems.length === 1) throw new ConfigError(`${source}: ${problems[0]}`);
  throw new ConfigError(`${source} is invalid:\n${problems.map((p) => `  ${p}`).join('\n')}`);
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

function formatPath(path: PropertyKey[]): string {
  if (path.length === 0) return '(top level)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('');
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  return issue.message;
}
