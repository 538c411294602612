import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { DeviceIdentity } from '../../core/readings.js';
import { readStateFile, writeJsonAtomic } from '../../core/state-file.js';

/**
 * The card reader this terminal trusts: the first one seen is enrolled in
 * `<state>/card-reader-enrolled.json`; any other (VID:PID, serial or firmware differ for a USB reader;
 * the name pcsc-lite gives, which carries vendor, product and serial, for a PC/SC one) is a possible swap
 * or skimmer until a technician re-enrols (`reenrollCardReader`).
 *
 * Invariants:
 * - The file is read on every check, so a re-enrolment by another process (the CLI) takes effect at the
 *   next check of the running agent without a restart.
 * - A file that exists but cannot be read or parsed never re-enrols silently (corrupting it must not be
 *   a way to swap a reader): it is a mismatch until re-enrolled.
 * - A mismatch is sticky: the stranger is written into the file, so putting the enrolled reader back (or
 *   restarting the agent) does not clear the fault. Only re-enrolment does.
 */
export const ENROLMENT_FILE = 'card-reader-enrolled.json';

const usbId = z.number().int().min(0).max(0xffff);
/** A HID or serial-over-USB reader; files written before PC/SC enrolment have no `bus`. */
const usbReaderSchema = z.strictObject({
  bus: z.literal('usb').optional(),
  vendorId: usbId,
  productId: usbId,
  serial: z.string().optional(),
  firmware: z.string().optional(),
  product: z.string().optional(),
  manufacturer: z.string().optional(),
});
/** A PC/SC reader, by its name without the index and slot numbers pcsc-lite appends. */
const pcscReaderSchema = z.strictObject({ bus: z.literal('pcsc'), name: z.string().min(1) });
const readerIdentitySchema = z.union([pcscReaderSchema, usbReaderSchema]);
export type ReaderIdentity = z.infer<typeof readerIdentitySchema>;

const enrolmentSchema = z.strictObject({
  version: z.literal(1),
  enrolledAt: z.string(),
  reader: readerIdentitySchema,
  /** The first reader seen that was not the enrolled one. */
  mismatch: z.strictObject({ at: z.string(), reader: readerIdentitySchema }).optional(),
});
type Enrolment = z.infer<typeof enrolmentSchema>;

export type EnrolmentCheck =
  | { matches: true; enrolled: ReaderIdentity; newlyEnrolled: boolean }
  | { matches: false; enrolled: ReaderIdentity | null; stranger: ReaderIdentity; problem?: string };

const hex4 = (n: number) => n.toString(16).padStart(4, '0');

/** "usb:0801:0011 serial=B12345 firmware=1.02" or `pcsc:"ACS ACR122U"`: what evidence and logs show of a reader. */
export function describeReader(id: ReaderIdentity): string {
  if (id.bus === 'pcsc') return `pcsc:${JSON.stringify(id.name)}`;
  return [`usb:${hex4(id.vendorId)}:${hex4(id.productId)}`, id.serial ? `serial=${id.serial}` : '', id.firmware ? `firmware=${id.firmware}` : '']
    .filter(Boolean)
    .join(' ');
}

export function deviceIdentityOf(id: ReaderIdentity): DeviceIdentity {
  if (id.bus === 'pcsc') return { kind: 'cardReader', model: id.name, address: `pcsc:${id.name}` };
  return {
    kind: 'cardReader',
    ...(id.manufacturer ? { vendor: id.manufacturer } : {}),
    ...(id.product ? { model: id.product } : {}),
    ...(id.serial ? { serial: id.serial } : {}),
    ...(id.firmware ? { firmware: id.firmware } : {}),
    address: `usb:${hex4(id.vendorId)}:${hex4(id.productId)}`,
  };
}

/** The fields that make a reader the same reader; a USB reader's product strings are cosmetic. */
export function sameReader(a: ReaderIdentity, b: ReaderIdentity): boolean {
  if (a.bus === 'pcsc' || b.bus === 'pcsc') return a.bus === 'pcsc' && b.bus === 'pcsc' && a.name === b.name;
  return a.vendorId === b.vendorId && a.productId === b.productId && (a.serial ?? '') === (b.serial ?? '') && (a.firmware ?? '') === (b.firmware ?? '');
}

/**
 * Compares `seen` with the enrolled reader, enrolling it when none is and recording the first stranger.
 * Throws only when the state directory cannot be written.
 */
export function checkEnrolment(stateDir: string, seen: ReaderIdentity, now: number): EnrolmentCheck {
  const file = join(stateDir, ENROLMENT_FILE);
  let enrolment: Enrolment | undefined;
  try {
    enrolment = readStateFile(file, enrolmentSchema);
  } catch (err) {
    return { matches: false, enrolled: null, stranger: seen, problem: `${file}: unreadable enrolment (${(err as Error).message}); re-enrol the card reader` };
  }
  const at = new Date(now).toISOString();
  if (!enrolment) {
    writeJsonAtomic(file, { version: 1, enrolledAt: at, reader: seen } satisfies Enrolment);
    return { matches: true, enrolled: seen, newlyEnrolled: true };
  }
  if (enrolment.mismatch) return { matches: false, enrolled: enrolment.reader, stranger: enrolment.mismatch.reader };
  if (sameReader(enrolment.reader, seen)) return { matches: true, enrolled: enrolment.reader, newlyEnrolled: false };
  writeJsonAtomic(file, { ...enrolment, mismatch: { at, reader: seen } } satisfies Enrolment);
  return { matches: false, enrolled: enrolment.reader, stranger: seen };
}

/** The enrolled reader, or null when none is (or the file is unreadable). */
export function enrolledReader(stateDir: string): ReaderIdentity | null {
  try {
    return readStateFile(join(stateDir, ENROLMENT_FILE), enrolmentSchema)?.reader ?? null;
  } catch {
    return null;
  }
}

/**
 * The technician's command: forgets the enrolled reader, so the next reader the agent sees is enrolled
 * (and `card_reader.identity_changed` clears). Returns the reader that was enrolled.
 */
export function reenrollCardReader(stateDir: string): { previous: ReaderIdentity | null } {
  const previous = enrolledReader(stateDir);
  rmSync(join(stateDir, ENROLMENT_FILE), { force: true });
  return { previous };
}
