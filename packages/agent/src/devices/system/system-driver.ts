import type { SystemConfig } from './config.js';
import { pollTiming } from '../../drivers/poll-timing.js';
import type { Observation, ReadingProblem } from '../../core/readings.js';
import type { Driver, DriverContext } from '../../drivers/contract.js';
import { readAttribute } from '../../drivers/transports/sysfs.js';
import { diskFree, type StatFs } from './disk-free.js';
import { MEM_READING, parseMeminfo } from './meminfo.js';
import { readThermalZones } from './read-thermal.js';
import { parseThermalZones } from './thermal.js';


/** Disk, memory and temperature move over minutes; every read is a few syscalls. */
export const SYSTEM_DEFAULT_TIMING = { interval: '30s', timeout: '5s' };

export interface SystemDriverOptions {
  /** fs.statfs unless a test injects sizes. */
  statfs?: StatFs;
}

/**
 * The terminal's own health: free disk where the agent writes (state and logs), available memory
 * (`<procfs>/meminfo`) and the hottest CPU thermal zone (`<sysfs>/class/thermal`). Each part fails on
 * its own: a problem in one leaves the others. The family's clock skew is no poll of this driver: the
 * pipeline measures it from the reference times it is handed, as a source of its own (clock-skew.ts).
 */
export class SystemDriver implements Driver {
  readonly kind = 'system' as const;
  readonly name = 'system';
  readonly intervalMs: number;
  readonly timeoutMs: number;

  constructor(
    config: SystemConfig,
    private readonly paths: { sysfs: string; procfs: string; state: string; logs: string },
    _ctx: DriverContext,
    private readonly options: SystemDriverOptions = {},
  ) {
    ({ intervalMs: this.intervalMs, timeoutMs: this.timeoutMs } = pollTiming(config, SYSTEM_DEFAULT_TIMING));
  }

  async poll(signal: AbortSignal): Promise<Observation> {
    const [disk, memory, thermal] = await Promise.all([
      diskFree([this.paths.state, this.paths.logs], this.options.statfs),
      this.readMemory(signal),
      readThermalZones(this.paths.sysfs, signal).then(parseThermalZones),
    ]);
    signal.throwIfAborted();
    return {
      readings: { ...disk.readings, ...memory.readings, ...thermal.readings },
      problems: [...disk.problems, ...memory.problems, ...thermal.problems],
      evidence: { ...disk.evidence, ...thermal.evidence },
    };
  }

  /** Nothing is held between polls. */
  async close(): Promise<void> {}

  private async readMemory(signal: AbortSignal): Promise<{ readings: Observation['readings']; problems: ReadingProblem[] }> {
    const read = await readAttribute(this.paths.procfs, 'meminfo', signal);
    if (read.kind === 'value') return parseMeminfo(read.text);
    const message = read.kind === 'missing' ? 'meminfo: not found' : read.message;
    return { readings: {}, problems: [{ reading: MEM_READING, message }] };
  }
}
