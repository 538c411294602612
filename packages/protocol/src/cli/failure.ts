import { isAbsolute } from 'node:path';
import { UsageError } from './args.js';
import { CliError, EXIT, type CliIo, type ExitCode } from './command.js';
import { ConfigError } from './config-error.js';
import { permissionHint } from './permission-hint.js';
import { NamedFileError } from './read-named-file.js';

export interface Failure {
  exit: ExitCode;
  message: string;
}

/** A program's own error types (the agent's config, rule files, daemon requests), worded its way; undefined for the rest. */
export type DescribeOwnFailure = (err: unknown, message: string) => Failure | undefined;

/** The system error code an error carries (ENOENT, EACCES, …), on itself or on its cause. */
function errnoOf(err: unknown): string | undefined {
  for (let e = err; e instanceof Error; e = e.cause) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
  }
  return undefined;
}

const ERRNO_EXIT: Record<string, ExitCode> = {
  ENOENT: EXIT.noInput,
  ENOTDIR: EXIT.noInput,
  EISDIR: EXIT.noInput,
  EACCES: EXIT.permission,
  EPERM: EXIT.permission,
  EADDRINUSE: EXIT.unavailable,
  EADDRNOTAVAIL: EXIT.unavailable,
  EROFS: EXIT.cantCreate,
  ENOSPC: EXIT.cantCreate,
  EDQUOT: EXIT.cantCreate,
};

/** The file a permission error is about: an fs error's `path`, or the Unix socket of a refused connect or listen. */
function deniedPath(err: unknown): string | undefined {
  const e = err as NodeJS.ErrnoException & { address?: unknown };
  const path = e.path ?? e.address;
  return typeof path === 'string' && isAbsolute(path) ? path : undefined;
}

/**
 * The one place an error becomes an exit code and a line (README "Exit codes"), for both programs:
 * typed errors by type, system errors by their code, anything else is a bug (70).
 */
export function describeFailure(err: unknown, describeOwn?: DescribeOwnFailure): Failure {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof CliError) return { exit: err.exit, message };
  if (err instanceof UsageError) return { exit: EXIT.usage, message };
  if (err instanceof ConfigError) return { exit: EXIT.config, message };
  const own = describeOwn?.(err, message);
  if (own) return own;
  const errno = errnoOf(err);
  // A named file that cannot be read, for whatever reason but permission (ELOOP, EIO, …), is missing input.
  const exit = ERRNO_EXIT[errno ?? ''] ?? (err instanceof NamedFileError ? EXIT.noInput : undefined);
  if (exit === undefined) return { exit: EXIT.internal, message: `internal error: ${message}` };
  const denied = exit === EXIT.permission ? deniedPath(err) : undefined;
  if (denied === undefined) return { exit, message };
  const what = err instanceof NamedFileError ? `${err.subject}: permission denied` : `permission denied on ${denied}`;
  return { exit, message: `${what}: ${permissionHint(denied)}` };
}

/** Prints `err` as one `PROGRAM CMD: …` line (plus the usage line for a usage error) and returns its exit code. */
export function reportFailure(err: unknown, io: Pick<CliIo, 'stderr'>, command: string, usage: string, describeOwn?: DescribeOwnFailure): ExitCode {
  const { exit, message } = describeFailure(err, describeOwn);
  io.stderr(`${command}: ${message}\n${exit === EXIT.usage ? `usage: ${usage}\n` : ''}`);
  if (process.env.POSDIAG_DEBUG === '1' && err instanceof Error && err.stack) io.stderr(`${err.stack}\n`);
  return exit;
}
