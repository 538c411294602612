import { execFile } from 'node:child_process';
import { pollTiming } from '../../drivers/poll-timing.js';
import type { BatteryConfig } from './config.js';
import type { DeviceIdentity, Observation, ReadingProblem, Readings } from '../../core/readings.js';
import type { Driver, DriverContext } from '../../drivers/contract.js';
import { parseDumpsysBattery } from './dumpsys-battery.js';
import { parsePowerSupply } from './power-supply.js';
import { POWER_SUPPLY_CLASS, readPowerSupply } from './read-power-supply.js';
import { BATTERY_DEFAULT_TIMING } from './sysfs-driver.js';

export type DumpsysBatteryConfig = Extract<BatteryConfig, { source: 'dumpsys' }>;

/** Android's own battery node; readable on many terminals, often only partly (SELinux, 0600 files). */
export const ANDROID_BATTERY_SUPPLY = 'battery';

/** What dumpsys does not print and the kernel node may: wear and cycles. */
const SYSFS_SUPPLEMENT = ['battery.capacity_health_pct', 'battery.cycle_count'] as const;

/** dumpsys battery prints about 1 KiB; anything near this is not its output. */
const MAX_OUTPUT_BYTES = 1 << 20;

/**
 * Battery and external power on Android: runs `config.command` (default `dumpsys battery`) and parses
 * its output, then adds wear and cycle count from `<sysfs>/class/power_supply/battery` where readable.
 *
 * Invariants: a program that is missing, fails, hangs or prints garbage is a ReadingProblem and no
 * `battery.present` (a reading error, not a driver failure); only an aborted signal rejects. The child is
 * killed on timeout and on abort. Nothing is held between polls.
 */
export class DumpsysBatteryDriver implements Driver {
  readonly kind = 'battery' as const;
  readonly name = 'battery';
  readonly intervalMs: number;
  readonly timeoutMs: number;
  private readonly command: readonly string[];
  private readonly sysfsRoot: string;
  /**
   * Shorter than the poll timeout, so a hung program is killed and reported as a reading problem here
   * before the scheduler abandons the whole poll as a driver failure.
   */
  private readonly commandTimeoutMs: number;

  constructor(config: DumpsysBatteryConfig, paths: { sysfs: string }, _ctx: DriverContext) {
    this.command = config.command;
    this.sysfsRoot = paths.sysfs;
    ({ intervalMs: this.intervalMs, timeoutMs: this.timeoutMs } = pollTiming(config, BATTERY_DEFAULT_TIMING));
    this.commandTimeoutMs = Math.floor(this.timeoutMs * 0.8);
  }

  async poll(signal: AbortSignal): Promise<Observation> {
    const [run, sysfs] = await Promise.all([this.run(signal), this.readSysfs(signal)]);
    if ('problem' in run) {
      return { readings: { ...sysfs.readings }, problems: [{ reading: 'battery.present', message: run.problem }, ...sysfs.problems] };
    }
    const parsed = parseDumpsysBattery(run.stdout);
    const present = parsed.readings['battery.present'];
    // A battery that dumpsys says is removed has no wear to report.
    const withSysfs = present === false ? {} : sysfs.readings;
    return {
      readings: { ...parsed.readings, ...withSysfs },
      ...(sysfs.identity && present !== false ? { identity: sysfs.identity } : {}),
      problems: [...parsed.problems, ...(present === false ? [] : sysfs.problems)],
      ...(parsed.updatesStopped ? { evidence: { 'battery.updates_stopped': 'true' } } : {}),
    };
  }

  /** Nothing is held open between polls (a running child belongs to its poll and dies with its signal). */
  async close(): Promise<void> {}

  private run(signal: AbortSignal): Promise<{ stdout: string } | { problem: string }> {
    const [file, ...args] = this.command as [string, ...string[]];
    const shown = this.command.join(' ');
    return new Promise((resolve, reject) => {
      execFile(
        file,
        args,
        { encoding: 'utf8', timeout: this.commandTimeoutMs, killSignal: 'SIGKILL', signal, maxBuffer: MAX_OUTPUT_BYTES, windowsHide: true },
        (err, stdout, stderr) => {
          if (signal.aborted) return reject(signal.reason);
          if (!err) return resolve({ stdout });
          const e = err as NodeJS.ErrnoException & { code?: string | number; killed?: boolean; signal?: string | null };
          if (e.code === 'ENOENT') return resolve({ problem: `${shown}: program not found` });
          if (e.code === 'EACCES') return resolve({ problem: `${shown}: permission denied` });
          if (e.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') return resolve({ problem: `${shown}: more than ${MAX_OUTPUT_BYTES} bytes of output` });
          if (e.killed && e.signal === 'SIGKILL') return resolve({ problem: `${shown}: no answer within ${this.commandTimeoutMs} ms` });
          const why = typeof e.code === 'number' ? `exit code ${e.code}` : e.signal ? `killed by ${e.signal}` : e.message;
          const detail = stderr.trim().split('\n', 1)[0];
          resolve({ problem: `${shown}: ${why}${detail ? `: ${detail.slice(0, 200)}` : ''}` });
        },
      );
    });
  }

  /**
   * Only wear and cycle count are taken from sysfs, and only their value problems are reported: an
   * unreadable node is the usual Android case (SELinux), not a fault, so read errors are dropped.
   */
  private async readSysfs(signal: AbortSignal): Promise<{ readings: Readings; problems: ReadingProblem[]; identity?: DeviceIdentity }> {
    const supply = await readPowerSupply(this.sysfsRoot, ANDROID_BATTERY_SUPPLY, signal);
    const parsed = parsePowerSupply(supply.attrs);
    const readings: Readings = {};
    for (const name of SYSFS_SUPPLEMENT) if (parsed.readings[name] !== undefined) readings[name] = parsed.readings[name];
    const problems = parsed.problems.filter((p) => (SYSFS_SUPPLEMENT as readonly (string | undefined)[]).includes(p.reading));
    const identity = parsed.identity ? { ...parsed.identity, address: `${POWER_SUPPLY_CLASS}/${ANDROID_BATTERY_SUPPLY}` } : undefined;
    return { readings, problems, ...(identity ? { identity } : {}) };
  }
}
