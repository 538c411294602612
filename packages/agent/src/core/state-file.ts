import { closeSync, fchmodSync, fchownSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { makeOwnDir, openOwnFile } from './own-files.js';

/**
 * Small JSON state files (card reader statistics and enrolment, USB enrolment, lifetime counters). A
 * write goes to a temp file that is synced and renamed over the old one, then the directory is synced:
 * after a crash or a power cut the file is the old one or the new one, never half of either. Files and
 * the directories made for them get the agent's own modes (own-files.ts).
 */
export function writeJsonAtomic(file: string, value: unknown): void {
  makeOwnDir(dirname(file));
  writeFileAtomic(file, JSON.stringify(value, null, 2) + '\n');
}

/** Who a file written for the service by root (`posdiag swap import`) is given to. */
export interface FileOwner {
  uid: number;
  gid: number;
}

/**
 * `data` into `file` as writeJsonAtomic writes (synced temp file renamed over it, directory synced),
 * with the agent's own mode, or `mode` (a file holding credentials: 0600), set on the temp file before
 * a byte is in it, and `owner` when given.
 */
export function writeFileAtomic(file: string, data: string | Buffer, options: { mode?: number; owner?: FileOwner } = {}): void {
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = options.mode === undefined ? openOwnFile(tmp, 'w') : openSync(tmp, 'w', options.mode);
  try {
    if (options.mode !== undefined) fchmodSync(fd, options.mode);
    if (options.owner) fchownSync(fd, options.owner.uid, options.owner.gid);
    writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  const dir = openSync(dirname(file), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

/**
 * The file parsed and validated by `schema`, or undefined when it does not exist. Anything else
 * (unreadable, not JSON, not the schema) throws an Error whose message is one line, fit for a problem.
 */
export function readStateFile<T>(file: string, schema: z.ZodType<T>): T | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(firstLine(err));
  }
  try {
    return schema.parse(JSON.parse(text));
  } catch (err) {
    throw new Error(err instanceof z.ZodError ? `not a valid state file: ${z.prettifyError(err).split('\n').join('; ')}` : firstLine(err));
  }
}

function firstLine(err: unknown): string {
  return (err as Error).message.split('\n')[0]!;
}
