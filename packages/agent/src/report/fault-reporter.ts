import type { Clock } from 'posdiag-protocol';
import type { DeviceIdentity, DriverAction } from '../core/readings.js';
import type { TerminalIdentity } from '../core/terminal-identity.js';
import { catalogEntry, type Catalog } from '../faults/catalog.js';
import type { FaultEvent } from '../faults/types.js';
import type { Logger } from '../log/logger.js';
import { buildFaultReport, type RepairEvidence } from './builder.js';
import type { Outbox } from './outbox-contract.js';

/**
 * Fault events → the technician's log and the durable outbox, in the order the engine emitted them.
 * Records are chained so that seq order is event order even when the disk is slow.
 */
export class FaultReporter {
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: {
      outbox: Outbox;
      catalog: Catalog;
      terminal: TerminalIdentity;
      clock: Clock;
      log: Logger;
      identity: (device: string) => DeviceIdentity | null;
      /** Self-recovery steps the device's driver made for this fault (Monitor.stepsTried); none when absent. */
      stepsTried?: (device: string, event: FaultEvent) => DriverAction[];
      /** Readings around the onset and the latest self-test, for repair requests. */
      repairEvidence?: RepairEvidence;
    },
  ) {}

  report(events: FaultEvent[]): Promise<void> {
    for (const event of events) this.chain = this.chain.then(() => this.recordOne(event));
    return this.chain;
  }

  /** Resolves when everything reported so far is recorded. */
  drain(): Promise<void> {
    return this.chain;
  }

  private async recordOne(event: FaultEvent): Promise<void> {
    const { device } = catalogEntry(this.deps.catalog, event.code);
    const level = event.state === 'raised' && !event.inhibitedBy ? 'warn' : 'info';
    this.deps.log[level](
      { device, fault: event.code, instance: event.instance, state: event.state, severity: event.severity, inhibitedBy: event.inhibitedBy, evidence: event.evidence },
      `${event.code}${event.instance ? `[${event.instance}]` : ''} ${event.state}`,
    );
    const stepsTried = (this.deps.stepsTried?.(device, event) ?? []).map(({ action, at, ok, detail }) =>
      detail === undefined ? { action, at, ok } : { action, at, ok, detail },
    );
    const draft = buildFaultReport(event, { catalog: this.deps.catalog, terminal: this.deps.terminal, device: this.deps.identity(device), now: this.deps.clock.now(), stepsTried, ...(this.deps.repairEvidence ? { repairEvidence: this.deps.repairEvidence } : {}) });
    try {
      await this.deps.outbox.record(draft);
    } catch (err) {
      // The outbox falls back to memory on disk errors; reaching here means even that failed.
      this.deps.log.error({ fault: event.code, err }, 'could not record fault report');
    }
  }
}
