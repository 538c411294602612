import { readFileSync } from 'node:fs';

/**
 * A file that a flag or the config names cannot be read. `code` is the system's (ENOENT, EISDIR,
 * EACCES, …) so the CLI can tell a missing input (exit 66) from a permission problem (exit 77), and
 * `subject` ("--tokens: cannot read FILE") lets it word the reason its own way.
 */
export class NamedFileError extends Error {
  override name = 'NamedFileError';
  readonly code: string | undefined;
  constructor(
    readonly subject: string,
    readonly path: string,
    cause: unknown,
  ) {
    super(`${subject}: ${reasonOf(cause as NodeJS.ErrnoException)}`, { cause });
    this.code = (cause as NodeJS.ErrnoException).code;
  }
}

/** "ENOENT: no such file or directory, open '/x'" without the syscall and path the subject already names. */
function reasonOf(err: NodeJS.ErrnoException): string {
  return err.syscall ? err.message.replace(new RegExp(`, ${err.syscall}(?: '.*')?$`), '') : err.message;
}

/** `file` as text; `what` (the key or flag naming it) heads the error when it cannot be read. */
export function readNamedFile(file: string, what: string): string {
  return readTextFile(file, `${what}: cannot read ${file}`);
}

/** `file` as text, or a NamedFileError: `subject`, then the system's reason. */
export function readTextFile(file: string, subject: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new NamedFileError(subject, file, err);
  }
}
