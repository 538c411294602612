import type { Config } from '../../config/schema.js';
import { pollTiming } from '../poll-timing.js';
import type { Clock } from '../../core/clock.js';
import type { Observation } from '../../core/readings.js';
import type { Driver, DriverContext } from '../contract.js';
import { SmartcardPcscStack, type PcscStack } from '../transports/pcsc.js';
import { findReader, pcscObservation, pcscReaderIdentity, readerMatcher } from './pcsc-readings.js';
import { ReaderEnrolment } from './reader-enrolment.js';

export type PcscReaderConfig = Extract<NonNullable<Config['devices']['cardReader']>, { transport: 'pcsc' }>;

/** Listing readers is one local IPC round trip to pcscd; card insertion is seen within one interval. */
export const PCSC_DEFAULT_TIMING = { interval: '5s', timeout: '3s' };

/**
 * A chip / contactless reader behind PC/SC: is the configured reader there, is a card in it, and what
 * its ATR says (length, protocols), and is it the reader that was enrolled. Never connects to the card,
 * never sends an APDU (see transports/pcsc).
 *
 * The binding's calls are synchronous and short; `signal` is honoured before the call, which cannot be
 * interrupted once started.
 */
export class PcscCardReaderDriver implements Driver {
  readonly kind = 'cardReader' as const;
  readonly name = 'cardReader';
  readonly intervalMs: number;
  readonly timeoutMs: number;
  private readonly matches: (name: string) => boolean;
  private readonly stack: PcscStack;
  private readonly clock: Clock;
  private readonly enrolment: ReaderEnrolment;

  constructor(config: PcscReaderConfig, stateDir: string, ctx: DriverContext, options: { stack?: PcscStack } = {}) {
    this.matches = readerMatcher(config.reader);
    this.stack = options.stack ?? new SmartcardPcscStack();
    this.clock = ctx.clock;
    this.enrolment = new ReaderEnrolment(stateDir, ctx.log);
    ({ intervalMs: this.intervalMs, timeoutMs: this.timeoutMs } = pollTiming(config, PCSC_DEFAULT_TIMING));
  }

  async poll(signal: AbortSignal): Promise<Observation> {
    signal.throwIfAborted();
    const snapshot = await this.stack.snapshot();
    const observation = pcscObservation(snapshot, this.matches);
    const reader = findReader(snapshot, this.matches);
    const problem = reader ? this.enrolment.see(pcscReaderIdentity(reader.name), this.clock.now()) : undefined;
    const readings = { ...observation.readings };
    const evidence = { ...observation.evidence };
    this.enrolment.contribute(readings, evidence);
    const problems = [...(observation.problems ?? []), ...(problem ? [problem] : [])];
    return {
      ...observation,
      readings,
      ...(Object.keys(evidence).length ? { evidence } : {}),
      ...(problems.length ? { problems } : {}),
    };
  }

  /** Every snapshot releases its own PC/SC context: nothing is held between polls. */
  async close(): Promise<void> {}
}
