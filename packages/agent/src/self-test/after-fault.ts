import type { Clock, SelfTestResult } from 'posdiag-protocol';
import type { Readings } from '../core/readings.js';
import type { AnyFamily } from '../devices/family.js';
import type { Driver } from '../drivers/contract.js';
import type { FaultEvent } from '../faults/types.js';
import type { Logger } from '../log/logger.js';
import { SelfTestBusyError, type SelfTestRun } from './self-test-coordinator.js';

/** How often readiness (the terminal lying still) is looked at, and how long it is waited for before testing anyway. */
export const READY_CHECK_MS = 500;
export const READY_WAIT_MS = 2 * 60_000;

export interface SelfTestAfterFaultOptions {
  families: readonly AnyFamily[];
  drivers: readonly Driver[];
  readings: () => Readings;
  /** The faults firing now, and the device kind of a code: what already failed before the fault is not blamed on it. */
  firing: () => readonly { code: string; inhibitedBy: string | null }[];
  deviceOf: (code: string) => string | undefined;
  /** Starts a recorded quick self-test of every device but those of `skipKinds` (the coordinator's start). */
  start: (skipKinds: readonly string[]) => SelfTestRun;
  clock: Clock;
  log: Logger;
}

/**
 * The daemon's self-tests after faults (devices/family.ts `selfTestAfter`): a raised fault of a code a
 * family names starts a wait until the family's `ready` holds (checked every READY_CHECK_MS, at most
 * READY_WAIT_MS, then tested anyway), then one recorded quick self-test of the other devices, whose
 * result goes to the family's `tested`. One wait per family at a time: a second drop while waiting
 * is tested by the same run. A self-test already running is waited for (up to READY_WAIT_MS), and the
 * start retried.
 */
export class SelfTestAfterFault {
  private readonly waiting = new Set<AnyFamily>();
  private stopped = false;

  constructor(private readonly options: SelfTestAfterFaultOptions) {}

  onEvents(events: readonly FaultEvent[]): void {
    if (this.stopped) return;
    for (const event of events) {
      if (event.state !== 'raised') continue;
      const family = this.options.families.find((f) => f.selfTestAfter?.codes.includes(event.code));
      if (family && !this.waiting.has(family)) {
        this.waiting.add(family);
        void this.testWhenReady(family, event.code, this.options.clock.now(), this.failingBefore(event.code));
      }
    }
  }

  stop(): void {
    this.stopped = true;
  }

  /** Names of the drivers whose devices had a fault of their own firing before `code` was raised. */
  private failingBefore(code: string): Set<string> {
    const kinds = new Set(this.options.firing().filter((f) => f.code !== code && f.inhibitedBy === null).map((f) => this.options.deviceOf(f.code)));
    return new Set(this.options.drivers.filter((d) => kinds.has(d.kind)).map((d) => d.name));
  }

  private async testWhenReady(family: AnyFamily, code: string, since: number, failingBefore: ReadonlySet<string>): Promise<void> {
    const { clock, log } = this.options;
    const after = family.selfTestAfter!;
    try {
      while (!after.ready(this.options.readings()) && clock.now() - since < READY_WAIT_MS) {
        await new Promise<void>((resolve) => clock.setTimeout(resolve, READY_CHECK_MS));
        if (this.stopped) return;
      }
      const result = await this.run(family);
      if (!result || this.stopped) return;
      log.info({ device: family.name, code, verdict: result.passed ? 'passed' : 'failed', ref: result.ref }, `self-test after ${code}`);
      after.tested(this.options.drivers.filter((d) => d.kind === family.kind), result, failingBefore);
    } catch (err) {
      log.error({ device: family.name, code, err }, `self-test after ${code} failed`);
    } finally {
      this.waiting.delete(family);
    }
  }

  private async run(family: AnyFamily): Promise<SelfTestResult | undefined> {
    const since = this.options.clock.now();
    while (!this.stopped && this.options.clock.now() - since <= READY_WAIT_MS) {
      try {
        return await this.options.start([family.kind]).result;
      } catch (err) {
        if (!(err instanceof SelfTestBusyError)) throw err;
        // Someone else's test runs: wait for it to settle (READY_CHECK_MS at a time), then try again.
        await new Promise<void>((resolve) => this.options.clock.setTimeout(resolve, READY_CHECK_MS));
      }
    }
    this.options.log.warn({ device: family.name }, 'no self-test after the fault: another one kept running');
    return undefined;
  }
}
