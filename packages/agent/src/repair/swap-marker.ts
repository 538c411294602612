import { join } from 'node:path';
import { z } from 'zod';
import { readStateFile, writeJsonAtomic } from '../core/state-file.js';
import { reenrollCardReader } from '../devices/card-reader/enrolment.js';
import { reenrolUsbDevices } from '../devices/usb-guard/usb-enrolment.js';
import type { Logger } from '../log/logger.js';

/**
 * What `posdiag swap import` leaves in the spare's state dir (`<state>/swap-import.json`) for its daemon
 * to finish the swap by:
 * - `reenrolled: false`: at its next start, before any device is checked, the daemon forgets the unit's
 *   enrolled card reader and USB devices once (as `posdiag enroll` does), so the devices it finds are
 *   enrolled afresh: the identity change the swap brings is expected, not a security alert. Once done it
 *   is never done again: a device changed later is a stranger as always.
 * - `acceptance: null`: after its first connection to the hub the daemon runs the acceptance self-test
 *   (full) and records it as a `self_test` report whose `commandId` is `acceptance:<swapId>` (no hub
 *   command asked for it; the hub links it to the swap by that). Run once, passed or failed: a failed
 *   unit is the technician's to look at, and a self-test on every reconnect would waste paper.
 * The file stays afterwards as the unit's note of the swap (which slot, from which unit, when).
 */
export const SWAP_MARKER_FILE = 'swap-import.json';

const markerSchema = z.strictObject({
  version: z.literal(1),
  swapId: z.uuid(),
  importedAt: z.string(),
  /** The slot taken over, and the unit it came from. */
  terminal: z.string(),
  fromSerial: z.string(),
  /** This unit, whose lifetime counters stayed as they were: they follow the unit, not the slot. */
  unitSerial: z.string(),
  reenrolled: z.boolean(),
  acceptance: z.strictObject({ testId: z.string(), passed: z.boolean(), at: z.string() }).nullable(),
});
export type SwapMarker = z.infer<typeof markerSchema>;

/** The acceptance self-test's `commandId` in its `self_test` report. */
export const acceptanceCommandId = (swapId: string) => `acceptance:${swapId}`;

export function readSwapMarker(stateDir: string): SwapMarker | undefined {
  return readStateFile(join(stateDir, SWAP_MARKER_FILE), markerSchema);
}

export function writeSwapMarker(stateDir: string, marker: SwapMarker): void {
  writeJsonAtomic(join(stateDir, SWAP_MARKER_FILE), marker);
}

/**
 * The daemon's start: the re-enrolment a fresh swap asks for, once. Returns the marker (undefined when
 * no swap was imported); a marker that cannot be read is logged and left alone (it re-enrols nothing:
 * forgetting enrolments on a damaged file's word would be a way round the guard).
 */
export function honourSwapReenrolment(stateDir: string, log: Logger): SwapMarker | undefined {
  let marker: SwapMarker | undefined;
  try {
    marker = readSwapMarker(stateDir);
  } catch (err) {
    log.error({ err: (err as Error).message }, `${SWAP_MARKER_FILE} cannot be read: the swap's re-enrolment and acceptance self-test are not done`);
    return undefined;
  }
  if (!marker || marker.reenrolled) return marker;
  const reader = reenrollCardReader(stateDir).previous;
  const usb = reenrolUsbDevices(stateDir).previous;
  const next = { ...marker, reenrolled: true };
  writeSwapMarker(stateDir, next);
  log.info({ swapId: marker.swapId, terminal: marker.terminal, formerReader: reader !== null, formerUsbDevices: usb ?? 0 }, 'swap: enrolments forgotten once; the devices found now are enrolled afresh');
  return next;
}
