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
  /** Resolves with the exit code (SPEC §2: 0 ok, 1 self-test failed, 2 usage, 78 config). */
  run(flags: ParsedFlags<F>, positional: string[], io: CliIo): Promise<number>;
}

/** SPEC §2, plus 75 (EX_TEMPFAIL): another self-test is running, try again. */
export const EXIT = { ok: 0, failed: 1, usage: 2, busy: 75, config: 78 } as const;

/** Keeps each command's flag types while collecting them in one list. */
export function defineCommand<F extends Flags>(command: Command<F>): Command<F> {
  return command;
}
