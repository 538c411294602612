import type { ReadingProblem, Readings } from '../../core/readings.js';
import type { Logger } from '../../log/logger.js';
import { checkEnrolment, describeReader, type EnrolmentCheck, type ReaderIdentity } from './enrolment.js';

/**
 * The enrolment side of every card reader driver, whatever the bus: checks the reader it is shown
 * against the enrolled one, logs the first enrolment and the first stranger once, and contributes
 * `card_reader.identity_matches` with evidence naming both readers. The last check is kept after the
 * reader goes away: a mismatch stays until a technician re-enrols (see enrolment.ts).
 */
export class ReaderEnrolment {
  private check: EnrolmentCheck | undefined;

  constructor(
    private readonly stateDir: string,
    private readonly log: Logger,
  ) {}

  /** Checks `reader`; returns a reading problem when it could not be checked (unreadable file, unwritable state). */
  see(reader: ReaderIdentity, now: number): ReadingProblem | undefined {
    let check: EnrolmentCheck;
    try {
      check = checkEnrolment(this.stateDir, reader, now);
    } catch (err) {
      this.check = undefined;
      return { reading: 'card_reader.identity_matches', message: `cannot enrol the card reader: ${(err as Error).message}` };
    }
    if (check.matches && check.newlyEnrolled) this.log.info({ reader: describeReader(reader) }, 'card reader enrolled');
    if (!check.matches && this.check?.matches !== false) {
      this.log.error({ reader: describeReader(check.stranger), enrolled: check.enrolled ? describeReader(check.enrolled) : null }, 'card reader is not the enrolled one');
    }
    this.check = check;
    return check.matches === false && check.problem ? { reading: 'card_reader.identity_matches', message: check.problem } : undefined;
  }

  /** Adds the verdict of the last check to an observation's readings and evidence. */
  contribute(readings: Readings, evidence: Record<string, string>): void {
    if (!this.check) return;
    readings['card_reader.identity_matches'] = this.check.matches;
    if (this.check.matches) return;
    evidence['card_reader.enrolled_reader'] = this.check.enrolled ? describeReader(this.check.enrolled) : 'unreadable enrolment';
    evidence['card_reader.stranger_reader'] = describeReader(this.check.stranger);
  }
}
