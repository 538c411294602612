import { chownSync, existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readTextFile } from 'posdiag-protocol/cli';
import { loadConfig, parseConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { makeOwnDir } from '../core/own-files.js';
import { writeFileAtomic, type FileOwner } from '../core/state-file.js';
import { resolveTerminal } from '../core/terminal-identity.js';
import { seqMarkFor } from '../report/outbox/read-only-stats.js';
import { SwapFileError, type SwapFile } from './swap-file.js';
import { writeSwapMarker, SWAP_MARKER_FILE } from './swap-marker.js';
import { WORK_ORDER_FILE, writeWorkOrder } from './work-order.js';

/** The config at the spare's path belongs to another terminal, and `--force` was not given. */
export class SwapConflictError extends Error {
  override name = 'SwapConflictError';
}

/** A hub's swap file is partial (swap-file.ts): there is no config of the spare's own to take it onto. */
export class SwapNeedsConfigError extends Error {
  override name = 'SwapNeedsConfigError';
}

export interface SwapImportResult {
  terminal: string;
  /** The terminal id the spare's config had before, or null when it had none. */
  previousTerminal: string | null;
  /** The PEM files written into the state dir. */
  credentials: string[];
  /** This unit's serial: its lifetime counters stay, they follow the unit. */
  unitSerial: string;
  /** Where the spare's former outbox went (reports of its former id, never sent as this slot's); null when none. */
  outboxSetAside: string | null;
}

/**
 * What the spare keeps of its own config when it takes over a slot: where its files are (`paths`, the
 * control socket) and what describes the unit itself (serial, model, purchase date). Everything else is
 * the slot's. Without a config of its own, the slot's paths are used and the serial is read from the
 * system (`auto`): a serial the slot's config names is the old unit's.
 */
export function slotConfigForUnit(slot: Record<string, unknown>, unit: Record<string, unknown> | undefined): Record<string, unknown> {
  const next = structuredClone(slot) as Record<string, any>;
  const own = (unit ?? {}) as Record<string, any>;
  const terminal = { ...(next.terminal ?? {}) };
  delete terminal.purchaseDate;
  terminal.serial = own.terminal?.serial ?? (terminal.serial === undefined || terminal.serial === 'auto' ? terminal.serial : 'auto');
  if (terminal.serial === undefined) delete terminal.serial;
  if (own.terminal?.model !== undefined) terminal.model = own.terminal.model;
  if (own.terminal?.purchaseDate !== undefined) terminal.purchaseDate = own.terminal.purchaseDate;
  next.terminal = terminal;
  if (unit) {
    if (own.paths === undefined) delete next.paths;
    else next.paths = own.paths;
    const control = { ...(next.control ?? {}) };
    if (own.control?.socket === undefined) delete control.socket;
    else control.socket = own.control.socket;
    next.control = control;
  }
  return next;
}

/**
 * A hub's partial config (`"source": "hub"`: the slot's terminal id and token) onto the spare's own as
 * written: objects merge key by key, anything else the partial gives replaces the spare's.
 */
export function mergeOnto(own: Record<string, unknown>, partial: Record<string, unknown>): Record<string, unknown> {
  const next: Record<string, unknown> = structuredClone(own);
  for (const [key, value] of Object.entries(partial)) {
    const mine = next[key];
    next[key] = isPlainObject(value) && isPlainObject(mine) ? mergeOnto(mine, value) : structuredClone(value);
  }
  return next;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const CREDENTIAL_KEYS = ['ca', 'cert', 'key'] as const;
const CREDENTIAL_MODES = { ca: 0o640, cert: 0o640, key: 0o600 } as const;

/**
 * Makes this unit the swap file's slot (`posdiag swap import`): writes the slot's config at `configFile`
 * (keeping the unit's own keys, slotConfigForUnit; from a hub's file, the unit's own config with the
 * slot's id and token, mergeOnto), the PEM files it carries under `<state>/credentials/`, its work
 * order, and an empty outbox that goes on from the slot's seq (the unit's former outbox, of another id,
 * is set aside, not sent); leaves the lifetime counters alone and `<state>/swap-import.json` for the
 * daemon's re-enrolment and acceptance self-test (swap-marker.ts). Everything is checked before the
 * first byte is written. Run as root, what it writes is given the owner of the state dir (the service's
 * user), so the daemon can read it; the config keeps its owner and mode.
 */
export function importSwap(swap: SwapFile, configFile: string, options: { force: boolean; now: number }): SwapImportResult {
  const exists = existsSync(configFile);
  const fromHub = swap.source === 'hub';
  if (fromHub && !exists) {
    throw new SwapNeedsConfigError(`no config at ${configFile}: a swap file from the hub holds only the slot's terminal id and token, which go onto this unit's own config (its hub url, TLS files, paths); give it with --config`);
  }
  const unitConfig = exists ? loadConfig(configFile) : undefined;
  const unitWritten = exists ? (JSON.parse(readTextFile(configFile, `cannot read config file ${configFile}`)) as Record<string, unknown>) : undefined;
  const previousTerminal = unitConfig?.terminal.id ?? null;
  const terminal = swap.slot.terminal;
  if (previousTerminal !== null && previousTerminal !== terminal && !options.force) {
    throw new SwapConflictError(`${configFile} is the config of terminal ${previousTerminal}, not ${terminal}: give --force to make this unit ${terminal}`);
  }

  const written = fromHub ? mergeOnto(unitWritten!, swap.config) : slotConfigForUnit(swap.config, unitWritten);
  const onto = fromHub ? configFile : undefined;
  const state = validSlotConfig(written, onto).paths.state;
  const credentialsDir = join(state, 'credentials');
  const credentials: string[] = [];
  const uplink = written.uplink as Record<string, unknown> | undefined;
  // The PEM files the slot's config names, carried in the file; a hub's names none (the spare's own stay).
  const carried = fromHub ? [] : CREDENTIAL_KEYS.filter((key) => uplink?.[key] !== undefined);
  for (const key of carried) {
    if (swap.credentials[key] === undefined) throw new SwapFileError(`invalid swap file: the config names uplink.${key} but credentials.${key} is missing`);
    uplink![key] = join(credentialsDir, `${key}.pem`);
  }
  const config = validSlotConfig(written, onto);

  const owner = serviceOwner(state);
  makeOwnDir(state);
  for (const key of carried) {
    makeOwnDir(credentialsDir);
    writeFileAtomic(uplink![key] as string, swap.credentials[key]!, { mode: CREDENTIAL_MODES[key], ...(owner ? { owner } : {}) });
    credentials.push(uplink![key] as string);
  }
  if (owner && credentials.length) chownSync(credentialsDir, owner.uid, owner.gid);

  const outboxSetAside = previousTerminal === terminal ? null : freshOutbox(join(state, 'outbox'), swap.slot.lastSeq, options.now, owner);
  if (swap.workOrder) writeWorkOrder(state, swap.workOrder, options.now);
  else if (previousTerminal !== terminal) rmSync(join(state, WORK_ORDER_FILE), { force: true });
  const unitSerial = resolveTerminal(config).serial;
  writeSwapMarker(state, {
    version: 1,
    swapId: swap.swapId,
    importedAt: new Date(options.now).toISOString(),
    terminal,
    fromSerial: swap.slot.fromSerial,
    unitSerial,
    reenrolled: false,
    acceptance: null,
  });
  if (owner) for (const file of [WORK_ORDER_FILE, SWAP_MARKER_FILE]) chownIfThere(join(state, file), owner);

  const before = exists ? statSync(configFile) : undefined;
  writeFileAtomic(configFile, JSON.stringify(written, null, 2) + '\n', { mode: before ? before.mode & 0o777 : 0o640, ...(before ? { owner: { uid: before.uid, gid: before.gid } } : {}) });
  return { terminal, previousTerminal, credentials, unitSerial, outboxSetAside };
}

/**
 * The config the spare would run with; one that does not validate is the swap file's fault (exit 65),
 * unless it is the spare's own config `onto` with a hub's id and token: then it is that config's (exit 78).
 */
function validSlotConfig(written: Record<string, unknown>, onto: string | undefined): Config {
  if (onto !== undefined) return parseConfig(written, `config file ${onto} with the swap file's terminal id and token`);
  try {
    return parseConfig(written, 'the swap file\'s config');
  } catch (err) {
    throw new SwapFileError((err as Error).message);
  }
}

/**
 * An empty outbox at `dir` whose seq mark goes on after the slot's `lastSeq`. A former outbox there holds
 * the unit's reports under its former id: moved to `outbox.before-swap-<time>` for a technician, never
 * sent under the slot's id.
 */
function freshOutbox(dir: string, lastSeq: number, now: number, owner: FileOwner | undefined): string | null {
  let setAside: string | null = null;
  if (existsSync(dir)) {
    setAside = `${dir}.before-swap-${new Date(now).toISOString().replace(/[:.]/g, '-')}`;
    renameSync(dir, setAside);
  }
  makeOwnDir(dir);
  const mark = seqMarkFor(lastSeq);
  writeFileAtomic(join(dir, mark.file), mark.bytes, owner ? { owner } : {});
  if (owner) chownSync(dir, owner.uid, owner.gid);
  return setAside;
}

/** The owner to give new files when root writes them into the service's state dir; undefined otherwise. */
function serviceOwner(state: string): FileOwner | undefined {
  if (process.getuid?.() !== 0 || !existsSync(state)) return undefined;
  const { uid, gid } = statSync(state);
  return uid === 0 ? undefined : { uid, gid };
}

function chownIfThere(file: string, owner: FileOwner): void {
  if (existsSync(file)) chownSync(file, owner.uid, owner.gid);
}
