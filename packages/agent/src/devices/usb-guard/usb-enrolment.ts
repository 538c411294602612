import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { readStateFile, writeJsonAtomic } from '../../core/state-file.js';
import type { UsbAllowEntry } from './usb-policy.js';
import type { UsbDevice } from './usb-devices.js';

/**
 * Trust on first use for the USB bus: the devices attached when the guard first runs (hubs aside) are
 * written to `<state>/usb-enrolled.json` and allowed from then on, next to the config's allowlist.
 *
 * Invariants:
 * - The file is read on every check, so a technician's re-enrolment (another process) takes effect at
 *   the next poll of the running agent.
 * - A file that exists but cannot be read or parsed never re-enrols silently (corrupting it must not be
 *   a way to get a device allowed): it allows nothing until re-enrolled.
 * - An enrolled device is matched by VID:PID and, when it reported one, its serial number.
 */
export const USB_ENROLMENT_FILE = 'usb-enrolled.json';

const usbId = z.number().int().min(0).max(0xffff);
const enrolmentSchema = z.strictObject({
  version: z.literal(1),
  enrolledAt: z.string(),
  devices: z.array(
    z.strictObject({ vendorId: usbId, productId: usbId, serial: z.string().optional(), product: z.string().optional() }),
  ),
});
type Enrolment = z.infer<typeof enrolmentSchema>;

export type EnrolledDevices =
  | { ok: true; devices: UsbAllowEntry[]; newlyEnrolled: boolean }
  | { ok: false; devices: []; problem: string };

/** The enrolled devices; when none are enrolled yet, `present` (hubs already removed) is enrolled. */
export function enrolledOrEnrol(stateDir: string, present: UsbDevice[], now: number): EnrolledDevices {
  const file = join(stateDir, USB_ENROLMENT_FILE);
  let enrolment: Enrolment | undefined;
  try {
    enrolment = readStateFile(file, enrolmentSchema);
  } catch (err) {
    return { ok: false, devices: [], problem: `${file}: unreadable enrolment (${(err as Error).message}); re-enrol the USB devices` };
  }
  if (enrolment) return { ok: true, devices: enrolment.devices, newlyEnrolled: false };
  const devices = present.map((d) => ({
    vendorId: d.vendorId,
    productId: d.productId,
    ...(d.serial ? { serial: d.serial } : {}),
    ...(d.product ? { product: d.product } : {}),
  }));
  writeJsonAtomic(file, { version: 1, enrolledAt: new Date(now).toISOString(), devices } satisfies Enrolment);
  return { ok: true, devices, newlyEnrolled: true };
}

/**
 * The technician's command (after removing what should not be there): forgets the enrolment, so the
 * devices attached at the guard's next poll are enrolled. Returns how many were enrolled before.
 */
export function reenrolUsbDevices(stateDir: string): { previous: number | null } {
  const file = join(stateDir, USB_ENROLMENT_FILE);
  let previous: number | null = null;
  try {
    previous = readStateFile(file, enrolmentSchema)?.devices.length ?? null;
  } catch {
    // An unreadable enrolment is exactly what re-enrolment repairs.
  }
  rmSync(file, { force: true });
  return { previous };
}
