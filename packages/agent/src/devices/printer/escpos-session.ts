import type { DeviceIdentity, Observation } from '../../core/readings.js';
import type { Logger } from '../../log/logger.js';
import { linkLost, type EscPosLink } from './escpos-link.js';
import {
  gsI,
  identityFromReplies,
  IDENTITY_BLOCK_KINDS,
  isIdentityByte,
  type IdentityBlockField,
  type PrinterIdentityReplies,
} from './escpos-identity.js';
import { dleEot, STATUS_FIELD, STATUS_KINDS, type StatusBytes, type StatusKind } from './escpos-status.js';
import type { ActionLog } from './printer-actions.js';
import { SELF_RECOVERY } from './escpos-recovery.js';
import { disconnectedObservation, statusObservation } from './printer-readings.js';
import { recoverableErrorRemains } from './self-recovery.js';

/**
 * The ESC/POS conversations a printer driver holds over any EscPosLink: a DLE EOT 1..4 status round
 * and a GS I identity query. Device silence is data (an observation, an absent field), never a throw;
 * only an abort (or a bug) rejects.
 */

/**
 * DLE EOT 1..4, asked in `order` (each is answered on its own, so any order reads the same status). No
 * answer to the first request means the printer is absent, off or silent.
 */
export async function readStatus(
  link: EscPosLink,
  replyTimeoutMs: number,
  signal: AbortSignal,
  log: Logger,
  order: readonly StatusKind[] = STATUS_KINDS,
): Promise<Observation> {
  const replies: StatusBytes = {};
  for (const n of order) {
    try {
      replies[STATUS_FIELD[n]] = await link.request(
        dleEot(n),
        (frame) => (frame.type === 'status' ? frame.byte : undefined),
        replyTimeoutMs,
        signal,
      );
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      // A later timeout leaves just that status unknown (the printer did answer); a lost link makes the
      // whole round worthless.
      if (n === order[0] || linkLost(err)) return disconnectedObservation((err as Error).message);
      log.debug({ n, err: (err as Error).message }, 'printer status request failed');
    }
  }
  return statusObservation(replies);
}

/**
 * GS I 1 and 3 (model and version ID bytes), then 65..68 (firmware, maker, model, serial blocks).
 * A printer that does not answer GS I 1 gets no more questions; within the blocks, the first
 * unanswered one ends the query, so a printer without GS I costs at most two reply timeouts.
 * Resolves undefined when the printer said nothing about itself.
 */
export async function readIdentity(
  link: EscPosLink,
  address: string,
  replyTimeoutMs: number,
  signal: AbortSignal,
): Promise<DeviceIdentity | undefined> {
  const replies: PrinterIdentityReplies = {};
  const oneByte = (n: 1 | 3) =>
    link.request(gsI(n), (f) => (f.type === 'noise' && f.bytes.length === 1 && isIdentityByte(f.bytes[0]!) ? f.bytes[0] : undefined), replyTimeoutMs, signal);
  const ask = async <T>(q: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await q();
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      return undefined;
    }
  };
  replies.modelId = await ask(() => oneByte(1));
  if (replies.modelId === undefined) return undefined;
  replies.versionId = await ask(() => oneByte(3));
  link.expectBlocks(true);
  try {
    for (const [field, n] of Object.entries(IDENTITY_BLOCK_KINDS) as [IdentityBlockField, number][]) {
      const text = await ask(() => link.request(gsI(n), (f) => (f.type === 'block' ? f.text : undefined), replyTimeoutMs, signal));
      if (text === undefined) break;
      replies[field] = text;
    }
  } finally {
    link.expectBlocks(false);
  }
  return identityFromReplies(withoutUndefined(replies), address);
}

function withoutUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

const RECOVERY_DETAIL = 'DLE ENQ 2 (recover from cutter/mechanical error, buffers cleared)';
const RECOVERY_READINGS = ['printer.cutter_error', 'printer.mechanical_error'];

/**
 * Sends DLE ENQ and reads the status again with `readStatusAfter` (a serial line's reader confirms what
 * it reads); the attempt and its outcome are recorded in `actions`.
 */
export async function attemptRecovery(
  link: EscPosLink,
  actions: ActionLog,
  readStatusAfter: (signal: AbortSignal) => Promise<Observation>,
  signal: AbortSignal,
): Promise<Observation> {
  try {
    await link.write(SELF_RECOVERY, signal);
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    actions.record('printer.recover', false, RECOVERY_READINGS, `${RECOVERY_DETAIL}: ${(err as Error).message}`);
    return disconnectedObservation((err as Error).message);
  }
  const after = await readStatusAfter(signal);
  const ok = after.readings['printer.connected'] === true && !recoverableErrorRemains(after.readings);
  const outcome = ok ? 'error cleared' : `error remains (${after.evidence?.['printer.status_hex'] ?? 'no status'})`;
  actions.record('printer.recover', ok, RECOVERY_READINGS, `${RECOVERY_DETAIL}: ${outcome}`);
  return after;
}
