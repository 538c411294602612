import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
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
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openOwnFile(tmp, 'w');
  try {
    writeSync(fd, JSON.stringify(value, null, 2) + '\n');
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
