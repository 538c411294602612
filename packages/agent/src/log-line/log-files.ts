import { readdirSync, renameSync, unlinkSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The diagnostic log's files in its directory: `posdiag.log` is the one being written; rotated files are
 * `posdiag.log.1` (newest) … `posdiag.log.<keep>` (oldest), as logrotate names them without compression.
 */
export const LOG_FILE_NAME = 'posdiag.log';

const FILE_PATTERN = /^posdiag\.log(?:\.([1-9]\d*))?$/;

export function currentLogPath(dir: string): string {
  return join(dir, LOG_FILE_NAME);
}

function rotatedLogPath(dir: string, n: number): string {
  return join(dir, `${LOG_FILE_NAME}.${n}`);
}

/** Rotation numbers of the rotated files present in `names` (0 stands for the current file). */
function generations(names: string[]): number[] {
  const found: number[] = [];
  for (const name of names) {
    const m = FILE_PATTERN.exec(name);
    if (m) found.push(m[1] === undefined ? 0 : Number(m[1]));
  }
  return found;
}

/** Every log file present, oldest first (highest rotation number first, the current file last). */
export async function logFilesOldestFirst(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return generations(names)
    .sort((a, b) => (a === 0 ? 1 : b === 0 ? -1 : b - a))
    .map((n) => (n === 0 ? currentLogPath(dir) : rotatedLogPath(dir, n)));
}

/**
 * Shifts `posdiag.log` → `.1` → … → `.<keep>`; whatever would become `.<keep+1>` (and any file numbered
 * above `keep`, left by a larger earlier setting) is deleted. Synchronous: it runs between two log
 * writes. Afterwards no `posdiag.log` exists; the writer must reopen.
 */
export function rotateLogFiles(dir: string, keep: number): void {
  const present = generations(readdirSync(dir));
  for (const n of present) if (n >= keep) unlinkSync(rotatedLogPath(dir, n));
  const shifting = present.filter((n) => n < keep).sort((a, b) => b - a);
  for (const n of shifting) renameSync(n === 0 ? currentLogPath(dir) : rotatedLogPath(dir, n), rotatedLogPath(dir, n + 1));
}
