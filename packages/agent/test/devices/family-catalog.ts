import { expect } from 'vitest';
import { FAULT_CATALOG } from '../../src/devices/catalog.js';
import type { AnyFamily } from '../../src/devices/family.js';

/** A fault code as the product contract pins it (its family's README, Faults): category and severity. */
export type PinnedFault = readonly [code: string, category: string, severity: string];

/**
 * Pins a family's part of the fault catalog: exactly `faults`, each with its category and severity and
 * of the device kind `device`, as the agent's catalog (the one every part reads) holds them.
 */
export function expectFamilyCatalog(family: AnyFamily, device: string, faults: readonly PinnedFault[]): void {
  expect(family.catalog.entries.map((e) => e.code).sort()).toEqual(faults.map(([code]) => code).sort());
  for (const [code, category, severity] of faults) {
    const entry = FAULT_CATALOG.get(code);
    expect({ code, device: entry?.device, category: entry?.category, severity: entry?.severity }).toEqual({ code, device, category, severity });
  }
}
