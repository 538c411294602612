import type { DeviceIdentity, Observation, ReadingProblem, Readings } from '../../core/readings.js';
import type { Logger } from '../../log/logger.js';
import { describeReader, deviceIdentityOf, type ReaderIdentity } from './enrolment.js';
import { ReaderEnrolment } from './reader-enrolment.js';
import { ReaderStatsStore } from './reader-stats.js';
import { CardKeys, type CardKey } from './card-keys.js';
import type { CardVerdict } from './card-verdict.js';
import { describeTracks, isGoodRead, type SwipeResult } from './swipe.js';
import { SwipeWindow, type SwipeWindowOptions } from './swipe-window.js';

/**
 * Everything a card reader driver knows between events, whatever the transport: presence, counters
 * since start, the sliding window, hours connected and the enrolment check. Lifetime swipe counts
 * are not here: a swipe leaves as a device event and is counted once, in the lifetime counters. Every
 * Observation it builds is complete (the monitor replaces a source's readings whole), so a swipe event
 * and a poll report the same set of readings.
 */
export interface CardReaderStateOptions {
  stateDir: string;
  log: Logger;
  window?: SwipeWindowOptions;
}

export class CardReaderState {
  /** Tells cards apart by a keyed hash whose key is made now and never written (card-keys.ts). */
  readonly cards = new CardKeys();
  private readonly stats: ReaderStatsStore;
  private readonly window: SwipeWindow;
  private swipes = 0;
  private readErrors = 0;
  private lastSwipe: SwipeResult['outcome'] | undefined;
  private connected = false;
  private connectedMark: number | undefined;
  private reader: ReaderIdentity | undefined;
  private readonly enrolment: ReaderEnrolment;
  private problems: ReadingProblem[] = [];

  constructor(private readonly opts: CardReaderStateOptions) {
    this.stats = new ReaderStatsStore(opts.stateDir, opts.log);
    this.window = new SwipeWindow(opts.window);
    this.enrolment = new ReaderEnrolment(opts.stateDir, opts.log);
  }

  /** Presence as last seen; connected time accrues between calls while connected. */
  setConnected(connected: boolean, now: number): void {
    this.accrue(now);
    this.connected = connected;
    this.connectedMark = connected ? now : undefined;
  }

  /** The reader attached now (HID readers only: serial lines do not say who is on them). */
  setReader(reader: ReaderIdentity, now: number): void {
    this.reader = reader;
    const problem = this.enrolment.see(reader, now);
    if (problem) this.problems.push(problem);
  }

  /** `card`: the card it came from (opaque, in memory only), when a track told its account number. */
  recordSwipe(swipe: SwipeResult, now: number, card?: CardKey): void {
    const good = isGoodRead(swipe);
    this.swipes++;
    if (!good) this.readErrors++;
    this.lastSwipe = swipe.outcome;
    this.window.record(now, !good, card);
    this.opts.log[good ? 'debug' : 'info']({ outcome: swipe.outcome, tracks: describeTracks(swipe), encodeType: swipe.encodeType }, 'card swipe');
  }

  /** Card or reader, over the recent window: the merchant's hint (card-hint.ts), never a reading. */
  verdict(now: number): CardVerdict {
    return this.window.counts(now).verdict;
  }

  /** A reading problem reported with the next observation (e.g. the HID module failed to load). */
  problem(problem: ReadingProblem): void {
    this.problems.push(problem);
  }

  observation(now: number): Observation {
    this.accrue(now);
    const { swipes, failures } = this.window.counts(now);
    const readings: Readings = {
      'card_reader.connected': this.connected,
      'card_reader.swipes': this.swipes,
      'card_reader.read_errors': this.readErrors,
      'card_reader.window_swipes': swipes,
      'card_reader.window_failures': failures,
      'card_reader.hours_connected': Math.round(this.stats.hoursConnected * 100) / 100,
    };
    if (this.lastSwipe) readings['card_reader.last_swipe'] = this.lastSwipe;
    const evidence: Record<string, string> = {};
    if (this.reader) evidence['card_reader.reader'] = describeReader(this.reader);
    this.enrolment.contribute(readings, evidence);
    const identity: DeviceIdentity | undefined = this.reader ? deviceIdentityOf(this.reader) : undefined;
    const problems = this.problems;
    this.problems = [];
    return {
      readings,
      ...(identity ? { identity } : {}),
      ...(Object.keys(evidence).length ? { evidence } : {}),
      ...(problems.length ? { problems } : {}),
    };
  }

  close(now: number): void {
    this.accrue(now);
    this.stats.flush();
  }

  private accrue(now: number): void {
    if (this.connected && this.connectedMark !== undefined) this.stats.addConnected(now - this.connectedMark, now);
    if (this.connected) this.connectedMark = now;
  }
}
