import type { Observation, Readings } from '../../core/readings.js';
import type { LineNoise } from '../../drivers/transports/line-noise.js';
import { STATUS_KINDS, type StatusKind } from './escpos-status.js';

/**
 * A DLE EOT status that can be believed on a noisy serial line.
 *
 * Random bytes pass the reply's fixed-bit test (`0xx1xx10`) one time in 16, and an ASB packet's one
 * time in a thousand, so on a noisy line a "reply" may be noise. A status round is believed only when
 * - no byte was discarded as noise while it ran (noise that fails the test travels with noise that
 *   passes it), and
 * - it says what the last believed round said, or what the round just before it said: a change must be
 *   read twice in a row before it counts.
 * The two rounds that confirm a change ask DLE EOT 1..4 in opposite orders: a reply that came after its
 * request timed out (a loaded host) is taken by the next request, and while requests follow back to
 * back the line stays one reply behind, every round reading the printer's own bytes shifted by one, the
 * same each time. Asked the other way round, shifted bytes land on other questions, so two such rounds
 * agree only when the printer's four bytes are one and the same (and the shift then changes nothing).
 * A round that fails either test is asked again, up to ROUNDS times. A status still not confirmed then
 * holds the last believed readings (with the doubtful bytes as evidence), so the rules see neither the
 * noise nor a gap that would clear a real fault. No answer at all is not noise's doing: a silent
 * printer is reported at once.
 */

/** Status rounds one read may spend on getting an answer it can believe. */
export const ROUNDS = 3;

/** DLE EOT 1..4 forwards, then backwards: the order flips after every round that could count. */
const ORDERS: readonly (readonly StatusKind[])[] = [STATUS_KINDS, [...STATUS_KINDS].reverse()];

export interface StatusRead {
  observation: Observation;
  /** False when the line stayed noisy and `observation` holds the last believed readings. */
  confirmed: boolean;
  /** The believed readings differ from those believed before this read. */
  changed: boolean;
}

export class StatusConfirmer {
  private believed: Observation | undefined;
  /** Index into ORDERS of the next round's order. */
  private backwards = 0;

  constructor(
    /** One DLE EOT 1..4 round, asked in `order`. */
    private readonly round: (signal: AbortSignal, order: readonly StatusKind[]) => Promise<Observation>,
    private readonly noise: LineNoise,
  ) {}

  /** Whether `readings` say what the last believed status said (an ASB packet that changes nothing). */
  agrees(readings: Readings): boolean {
    return this.believed !== undefined && sameReadings(this.believed.readings, readings);
  }

  /** Forgets what was believed: after a reopen another printer (or the same, power-cycled) may answer. */
  forget(): void {
    this.believed = undefined;
  }

  async read(signal: AbortSignal): Promise<StatusRead> {
    const before = this.believed;
    let candidate: Observation | undefined;
    let doubtful: Observation | undefined;
    for (let i = 0; i < ROUNDS; i++) {
      const mark = this.noise.mark();
      const observation = await this.round(signal, ORDERS[this.backwards]!);
      if (observation.readings['printer.connected'] !== true) return this.believe(observation, before);
      if (this.noise.since(mark) > 0) {
        doubtful = observation;
        continue;
      }
      // The round that may confirm this one (the next clean one) asks the other way round.
      this.backwards = 1 - this.backwards;
      if (this.agrees(observation.readings) || (candidate && sameReadings(candidate.readings, observation.readings))) {
        return this.believe(observation, before);
      }
      candidate = doubtful = observation;
    }
    return { observation: held(this.believed, doubtful), confirmed: false, changed: false };
  }

  private believe(observation: Observation, before: Observation | undefined): StatusRead {
    this.believed = observation;
    return { observation, confirmed: true, changed: before === undefined || !sameReadings(before.readings, observation.readings) };
  }
}

/** The last believed readings, or only an unknown paper state when nothing was believed yet. */
function held(believed: Observation | undefined, doubtful: Observation | undefined): Observation {
  const unconfirmed = doubtful?.evidence?.['printer.status_hex'];
  const evidence = { ...believed?.evidence, ...(unconfirmed === undefined ? {} : { 'printer.unconfirmed_hex': unconfirmed }) };
  return { readings: believed ? { ...believed.readings } : { 'printer.paper': 'unknown' }, evidence };
}

function sameReadings(a: Readings, b: Readings): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}
