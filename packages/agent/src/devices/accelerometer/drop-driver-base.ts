import type { SelfTestResult } from 'posdiag-protocol';
import type { Observation } from '../../core/readings.js';
import type { DeviceEvent, DriverContext } from '../../drivers/contract.js';
import { DeviceEventOutlet } from '../../drivers/device-event-outlet.js';
import { DropRecord, dropWearEvent, type DropFacts } from './drop-record.js';

/** What both accelerometer drivers do with a drop: keep it, count it as wear, say it at once, and hear the self-test after it. */
export abstract class DropReporting {
  readonly kind = 'accelerometer' as const;
  readonly name = 'accelerometer';
  protected readonly drops = new DropRecord();
  private readonly outlet = new DeviceEventOutlet();
  private emit: ((observation: Observation) => void) | undefined;

  constructor(protected readonly ctx: DriverContext) {}

  /** The readings of the device itself (connected, still, …), beside the drop's. */
  protected abstract deviceObservation(): Observation;

  /** The driver's clock: what a reported drop's time is checked against. */
  now(): number {
    return this.ctx.clock.now();
  }

  watch(emit: (observation: Observation) => void): void {
    this.emit = emit;
  }

  deviceEvents(emit: (event: DeviceEvent) => void): () => void {
    return this.outlet.subscribe(emit);
  }

  /** The quick self-test the daemon ran once the terminal lay still after the drop (devices/family.ts `selfTestAfter`). */
  selfTested(result: SelfTestResult, failingBefore: ReadonlySet<string> = new Set()): void {
    this.drops.selfTested(result, failingBefore);
    this.changed();
  }

  protected observation(): Observation {
    const device = this.deviceObservation();
    return { ...device, readings: { ...device.readings, ...this.drops.readings(this.ctx.clock.now()) } };
  }

  protected dropped(drop: DropFacts): void {
    this.drops.record(drop);
    this.ctx.log.warn({ heightM: drop.heightM, peakG: drop.peakG, orientation: drop.orientation, source: drop.source, at: new Date(drop.at).toISOString() }, 'terminal dropped');
    this.outlet.send(dropWearEvent(drop.at));
    this.changed();
  }

  protected changed(): void {
    this.emit?.(this.observation());
  }

  protected stopEmitting(): void {
    this.emit = undefined;
  }
}
