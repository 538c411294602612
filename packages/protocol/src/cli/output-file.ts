import { accessSync, constants, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CliError, EXIT } from './command.js';

/**
 * Why an output the user named (`what`: the flag) cannot be created. Permission stays the system's
 * error, so main words it like every other (exit 77, naming who may); anything else is exit 73.
 */
function cannotCreate(file: string, what: string, err: unknown): Error {
  const { code, message } = err as NodeJS.ErrnoException;
  if (code === 'EACCES' || code === 'EPERM') return err as Error;
  const reason = code === 'ENOENT' ? `the directory ${dirname(resolve(file))} does not exist` : message;
  return new CliError(EXIT.cantCreate, `${what} ${file}: cannot create it: ${reason}`);
}

/** Fails at once when `file` could not be written, before the work that fills it (a bundle's poll, a hub's start). */
export function checkCreatable(file: string, what: string): void {
  try {
    accessSync(existsSync(file) ? file : dirname(resolve(file)), constants.W_OK);
  } catch (err) {
    throw cannotCreate(file, what, err);
  }
}

export function writeOutputFile(file: string, data: Buffer | string, what: string): void {
  try {
    writeFileSync(file, data);
  } catch (err) {
    throw cannotCreate(file, what, err);
  }
}


/** A directory the user named for output (`demo --keep DIR`), with its parents. */
export function makeOutputDir(dir: string, what: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw cannotCreate(dir, what, err);
  }
}
