import { statfs } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { ReadingProblem, Readings } from '../../core/readings.js';
import { outOfRange } from '../../drivers/physical-range.js';
import { SYSTEM_RANGES } from './system-ranges.js';

export const DISK_READING = 'system.disk_free_pct';

/** The part of fs.statfs the computation needs (an injectable seam for tests). */
export interface FsStats {
  /** Blocks available to an unprivileged user (what the agent, not root's reserve, can still use). */
  bavail: number;
  /** Total data blocks. */
  blocks: number;
}
export type StatFs = (path: string) => Promise<FsStats>;

/**
 * `system.disk_free_pct` = the lowest bavail ÷ blocks × 100 over the filesystems holding `dirs` (the
 * state and log directories). A directory not created yet is measured where it will be created: its
 * nearest existing ancestor. A filesystem that cannot be measured, or whose counts contradict each
 * other (system-ranges.ts), is a ReadingProblem; the others still count.
 */
export async function diskFree(dirs: string[], stat: StatFs = statfs): Promise<{ readings: Readings; problems: ReadingProblem[]; evidence: Record<string, string> }> {
  const problems: ReadingProblem[] = [];
  let lowest: { dir: string; pct: number } | undefined;
  for (const dir of [...new Set(dirs.map((d) => resolve(d)))]) {
    const measured = await statNearest(dir, stat);
    if (typeof measured === 'string') {
      problems.push({ reading: DISK_READING, message: `statfs ${dir}: ${measured}` });
      continue;
    }
    if (measured.blocks <= 0) continue; // pseudo filesystems (proc, some overlays) have no size to fill
    const exact = (measured.bavail / measured.blocks) * 100;
    const impossible = outOfRange(SYSTEM_RANGES[DISK_READING], exact, `bavail ${measured.bavail} / blocks ${measured.blocks}`);
    if (impossible) {
      problems.push({ reading: DISK_READING, message: `statfs ${dir}: ${impossible}` });
      continue;
    }
    const pct = Math.round(exact * 10) / 10;
    if (!lowest || pct < lowest.pct) lowest = { dir, pct };
  }
  if (!lowest) return { readings: {}, problems, evidence: {} };
  return { readings: { [DISK_READING]: lowest.pct }, problems, evidence: { 'system.disk_free_dir': lowest.dir } };
}

async function statNearest(dir: string, stat: StatFs): Promise<FsStats | string> {
  for (let path = dir; ; path = dirname(path)) {
    try {
      return await stat(path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || dirname(path) === path) return code ?? (err as Error).message;
    }
  }
}
