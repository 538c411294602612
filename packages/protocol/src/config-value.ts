import type { z } from 'zod';
import { ConfigError } from './cli/config-error.js';

/**
 * Validates a parsed JSON value against a configuration schema (the agent's config file, the hub's
 * routing file): the value, or a ConfigError (exit 78) naming every bad key path and what it wanted.
 * One problem is one line (what a terminal's console shows whole); several are listed under a heading.
 */
export function parseConfigValue<T>(schema: z.ZodType<T>, value: unknown, source: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${formatPath(issue.path)}: ${describeIssue(issue)}`);
  if (problems.length === 1) throw new ConfigError(`${source}: ${problems[0]}`);
  throw new ConfigError(`${source} is invalid:\n${problems.map((p) => `  ${p}`).join('\n')}`);
}

function formatPath(path: PropertyKey[]): string {
  if (path.length === 0) return '(top level)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('');
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  // zod words a missing key as a value of the wrong type ("expected string, received undefined").
  if (issue.code === 'invalid_type' && issue.message.endsWith('received undefined')) return `missing (expected ${issue.expected})`;
  return issue.message;
}
