import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Reads sysfs attributes under a configurable root (node_exporter's `--path.sysfs`): every path is
 * relative to that root, so tests and emulators point it at a directory tree of their own.
 *
 * Invariant: reading an attribute never throws for what the device or kernel says. A missing attribute
 * means "not supported" and one the kernel refuses to read (EINVAL, EIO, …) is reported as unreadable;
 * only an aborted signal rejects. A class directory that exists but cannot be listed (EACCES) rejects:
 * that is the driver failing, not the device.
 */

export type AttributeRead =
  | { kind: 'value'; text: string }
  | { kind: 'missing' }
  | { kind: 'unreadable'; message: string };

/**
 * Errors that mean "this attribute has no value here": ENOENT (not supported), ENODATA / ENODEV (the
 * kernel's answer for a battery that is not present or a property the chip does not report right now).
 */
const MISSING_CODES = new Set(['ENOENT', 'ENODATA', 'ENODEV', 'ENOTDIR']);

/** One attribute, trimmed of the kernel's trailing newline. */
export async function readAttribute(root: string, relativePath: string, signal?: AbortSignal): Promise<AttributeRead> {
  try {
    const text = await readFile(join(root, relativePath), { encoding: 'utf8', signal });
    return { kind: 'value', text: text.trim() };
  } catch (err) {
    if (signal?.aborted) throw signal.reason;
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (MISSING_CODES.has(code)) return { kind: 'missing' };
    return { kind: 'unreadable', message: `${relativePath}: ${code || (err as Error).message}` };
  }
}

/** Entry names of a directory such as `class/power_supply`, sorted; a missing directory is empty. */
export async function listDirectory(root: string, relativePath: string): Promise<string[]> {
  try {
    return (await readdir(join(root, relativePath))).sort();
  } catch (err) {
    if (MISSING_CODES.has((err as NodeJS.ErrnoException).code ?? '')) return [];
    throw err;
  }
}

/** `KEY=value` lines of a `uevent` file; lines without `=` (e.g. a truncated last line) are skipped. */
export function parseUevent(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1).trim();
  }
  return out;
}

/** A single path segment taken from config (e.g. a power_supply name): no separators, no `.`/`..`. */
export function isSafeSegment(name: string): boolean {
  return name.length > 0 && name !== '.' && name !== '..' && !/[/\\\0]/.test(name);
}
