import { didYouMean } from './did-you-mean.js';

/**
 * A small, strict flag parser: every command declares its flags, anything else is a usage error
 * (exit 64, with the nearest declared flag suggested). Supports `--flag value`, `--flag=value`,
 * boolean `--flag`, and `-o value` aliases. `-h` / `--help` belong to every command (wantsHelp).
 */
export interface FlagSpec {
  type: 'string' | 'boolean';
  description: string;
  alias?: string;
  /** Allowed values for a string flag. */
  choices?: readonly string[];
  valueName?: string;
}

export type Flags = Record<string, FlagSpec>;
export type ParsedFlags<F extends Flags> = {
  [K in keyof F]?: F[K]['type'] extends 'boolean' ? boolean : string;
};

export class UsageError extends Error {
  override name = 'UsageError';
}

export function parseArgs<F extends Flags>(argv: string[], spec: F): { flags: ParsedFlags<F>; positional: string[] } {
  const flags: Record<string, string | boolean> = {};
  const positional: string[] = [];
  const byAlias = new Map(Object.entries(spec).flatMap(([name, s]) => (s.alias ? [[s.alias, name] as const] : [])));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    let name: string | undefined;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq === -1 ? undefined : arg.slice(eq + 1);
    } else if (/^-[A-Za-z]$/.test(arg)) {
      name = byAlias.get(arg.slice(1));
      if (!name) throw new UsageError(`unknown option ${arg}${didYouMean(arg.slice(1), byAlias.keys(), (a) => `-${a}`)}`);
    } else {
      positional.push(arg);
      continue;
    }
    const s = Object.hasOwn(spec, name) ? spec[name] : undefined;
    if (!s) throw new UsageError(`unknown option --${name}${didYouMean(name, Object.keys(spec), (n) => `--${n}`)}`);
    if (s.type === 'boolean') {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
      flags[name] = true;
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined || (inline === undefined && value.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
    if (s.choices && !s.choices.includes(value)) throw new UsageError(`--${name} must be one of ${s.choices.join(', ')} (got "${value}")`);
    flags[name] = value;
  }
  return { flags: flags as ParsedFlags<F>, positional };
}

/** Whether `-h` or `--help` stands among the options (before `--`): help then wins over everything else. */
export function wantsHelp(argv: string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
}

export function formatHelp(usage: string, summary: string, spec: Flags): string {
  const row = (left: string, description: string) => `  ${left.padEnd(34)} ${description}`;
  const rows = Object.entries(spec).map(([name, s]) =>
    row(`${s.alias ? `-${s.alias}, ` : '    '}--${name}${s.type === 'string' ? ` ${s.valueName ?? (s.choices ? s.choices.join('|') : 'VALUE')}` : ''}`, s.description),
  );
  rows.push(row('-h, --help', 'show this help'));
  return `usage: ${usage}\n\n${summary}\n\noptions:\n${rows.join('\n')}\n`;
}
