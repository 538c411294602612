import { z } from 'zod';
import { terminalIdSchema } from 'posdiag-protocol';
import { workOrderSchema } from './work-order.js';

/**
 * The swap file (`posdiag swap export` → `posdiag swap import`, issue 15): what makes a terminal's slot,
 * so a spare unit can take it over. The slot is the merchant's: the terminal id, the config with its
 * uplink credentials (the token in it, the PEM files' contents beside it), the open work order, and the
 * seq the slot's reports reached. What belongs to the physical unit is left out: its wear counters, its
 * device enrolments, its outbox, its lock. It holds credentials, so it is written mode 0600.
 *
 * Two sources make one. Without `source`, the terminal's own agent (`posdiag swap export`): `config` is
 * its whole config as written. With `"source": "hub"`, the hub, for a unit that is dead
 * (`GET /api/terminals/ID/swap`): it knows only what the terminal told it, so `slot.fromSerial` is the
 * serial of its last hello, `slot.lastSeq` the highest seq it stored, `credentials` is empty and `config`
 * is partial, `{terminal: {id}, uplink: {token}}`, merged onto the spare's own config (which must exist:
 * it keeps its hub url, TLS files, paths and everything else).
 *
 * Versioned: a reader refuses any version but the ones it knows, rather than guessing at fields. `source`
 * came within version 1: it only adds, and an agent that predates it refuses a hub's file as a whole
 * (an unknown key) rather than taking the partial config as a whole one.
 */
export const SWAP_FORMAT = 'posdiag-swap';
export const SWAP_VERSION = 1;

const pem = z.string().min(1).max(64 * 1024);

export const swapFileSchema = z.strictObject({
  format: z.literal(SWAP_FORMAT),
  version: z.literal(SWAP_VERSION),
  /** Absent: the terminal's agent made it. "hub": the hub made it, and `config` is partial (above). */
  source: z.literal('hub').optional(),
  /** Names this swap: the spare's acceptance self-test carries it (`commandId: "acceptance:<swapId>"`). */
  swapId: z.uuid(),
  exportedAt: z.iso.datetime({ offset: true }),
  slot: z.strictObject({
    terminal: terminalIdSchema,
    /** The serial of the unit it was exported from (the hub's "old serial"), as its agent resolved it. */
    fromSerial: z.string().min(1).max(128),
    /** The last seq the slot's outbox handed out: the spare's reports go on after it. */
    lastSeq: z.number().int().nonnegative(),
  }),
  /** The config file as written (before defaults), validated again by the importer; a hub's is partial. */
  config: z.record(z.string(), z.unknown()),
  /** Contents of the PEM files `uplink.ca`, `uplink.cert` and `uplink.key` named, when they do. */
  credentials: z.strictObject({ ca: pem.optional(), cert: pem.optional(), key: pem.optional() }),
  workOrder: workOrderSchema.nullable(),
});
export type SwapFile = z.infer<typeof swapFileSchema>;

/** The text is not a swap file this agent can read; `message` is one line saying why. */
export class SwapFileError extends Error {
  override name = 'SwapFileError';
}

export function encodeSwapFile(swap: SwapFile): string {
  return JSON.stringify(swapFileSchema.parse(swap), null, 2) + '\n';
}

/** Parses a swap file's text; throws SwapFileError (not JSON, not a swap file, another version, a bad field). */
export function decodeSwapFile(text: string): SwapFile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new SwapFileError(`not JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || (value as { format?: unknown }).format !== SWAP_FORMAT) {
    throw new SwapFileError(`not a posdiag swap file (no "format": "${SWAP_FORMAT}")`);
  }
  const version = (value as { version?: unknown }).version;
  if (version !== SWAP_VERSION) {
    throw new SwapFileError(`swap file version ${JSON.stringify(version)} is not one this agent reads (it reads version ${SWAP_VERSION}); export it again with this agent's version`);
  }
  const parsed = swapFileSchema.safeParse(value);
  if (!parsed.success) {
    throw new SwapFileError(`invalid swap file: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}
