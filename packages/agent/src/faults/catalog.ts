import type { LocalizedText } from 'posdiag-protocol';
import type { DeviceKind } from '../core/readings.js';
import type { CatalogEntry } from './types.js';

/**
 * The fault catalog (SPEC §5) as the agent holds it: what each code means and what to do about it, by
 * code. It sits below the rules and the reports, which both read it and neither owns it.
 *
 * Invariant: there is one catalog per process, built once by the composition root (devices/catalog.ts
 * builds the agent's from the device families and the agent's own codes; agent.ts and the CLI's
 * standalone paths hand it in) and passed to the rule engine, the fault reporter, the self-test and the
 * status answer. Nothing reaches for a built-in one on its own, so a site catalog or a test's catalog is
 * the one every part sees.
 */
export type Catalog = ReadonlyMap<string, CatalogEntry>;

/** A catalog entry as its source writes it: the source says the device, the hints come beside it. */
export type CatalogFault = Omit<CatalogEntry, 'device' | 'technicianHints'>;

/** One contributor's part of the catalog: a device family's, or the agent's own. */
export interface CatalogSource {
  device: DeviceKind;
  entries: readonly CatalogFault[];
  /** What a technician checks, per code: reviewed apart from the merchant text, merged into the entries. */
  hints: Readonly<Record<string, readonly LocalizedText[]>>;
}

/** A source's entries as the catalog holds them: its device set, its hints merged in. */
export function catalogEntries({ device, entries, hints }: CatalogSource): CatalogEntry[] {
  return entries.map((fault) => ({ ...fault, device, technicianHints: [...(hints[fault.code] ?? [])] }));
}

/** The catalog of `entries`; a code defined twice is a programming error and throws. */
export function buildCatalog(entries: Iterable<CatalogEntry>): Catalog {
  const catalog = new Map<string, CatalogEntry>();
  for (const entry of entries) {
    if (catalog.has(entry.code)) throw new Error(`fault code "${entry.code}" is defined twice in the catalog`);
    catalog.set(entry.code, entry);
  }
  return catalog;
}

/** The entry of `code`; throws for a code the catalog does not know (a programming error). */
export function catalogEntry(catalog: Catalog, code: string): CatalogEntry {
  const found = catalog.get(code);
  if (!found) throw new Error(`unknown fault code: ${code}`);
  return found;
}
