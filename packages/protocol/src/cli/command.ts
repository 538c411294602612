import type { Flags, ParsedFlags } from './args.js';

/** Where a command writes; tests capture it. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether human output may use ANSI colours (stdout is a terminal and NO_COLOR is unset). */
  color: boolean;
  /** Aborted on SIGINT/SIGTERM: long-running commands stop cleanly. */
  signal: AbortSignal;
}

export interface Command<F extends Flags = Flags> {
  name: string;
  usage: string;
  summary: string;
  flags: F;
  /** Resolves with the exit code (EXIT); a failure may instead throw, and main maps the error to its code. */
  run(flags: ParsedFlags<F>, positional: string[], io: CliIo): Promise<number>;
  /** Commands under this one (`posdiag hub user add`): a first argument naming one runs it, with its own flags. */
  subcommands?: Record<string, Command<any>>;
}

/**
 * Exit codes (README "Exit codes"): 0 and 1 as SPEC §2 (1: a self-test ran and a check failed); every
 * other failure is a sysexits(3) code, so a script or systemd (RestartPreventExitStatus=78) can tell a
 * typo from a missing file, a busy port or a permission problem.
 */
export const EXIT = {
  ok: 0,
  failed: 1,
  /** EX_USAGE: unknown command or option, bad flag value. */
  usage: 64,
  /** EX_DATAERR: an input file's content is wrong (a swap file that is not one, of another version). */
  badData: 65,
  /** EX_NOINPUT: a file named by a flag or by the config does not exist or cannot be read. */
  noInput: 66,
  /** EX_UNAVAILABLE: a service we need is not there (the hub's address is taken, the daemon failed the request). */
  unavailable: 69,
  /** EX_SOFTWARE: a bug; main prints one line ("internal error"), the stack only with POSDIAG_DEBUG=1. */
  internal: 70,
  /** EX_CANTCREAT: an output file or database cannot be created. */
  cantCreate: 73,
  /** EX_TEMPFAIL: another self-test is running; try again. */
  busy: 75,
  /** EX_NOPERM: permission denied; the message names the group (or user) that may. */
  permission: 77,
  /** EX_CONFIG: the config's content is wrong; the message names the key. */
  config: 78,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure whose exit code the command knows (e.g. `bundle -o` into a missing directory: 73); main prints `message`. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    readonly exit: ExitCode,
    message: string,
  ) {
    super(message);
  }
}

/** Keeps each command's flag types while collecting them in one list. */
export function defineCommand<F extends Flags>(command: Command<F>): Command<F> {
  return command;
}
