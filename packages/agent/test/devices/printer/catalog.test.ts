import { describe, expect, it } from 'vitest';
import { FAULT_CATALOG } from '../../../src/devices/catalog.js';
import { printer } from '../../../src/devices/printer/index.js';
import { catalogEntry } from '../../../src/faults/catalog.js';
import { expectFamilyCatalog } from '../family-catalog.js';

describe('printer fault catalog', () => {
  it('holds exactly its codes, with their category and severity', () => {
    expectFamilyCatalog(printer, 'printer', [
      ['printer.disconnected', 'hardware', 'major'],
      ['printer.offline', 'io', 'major'],
      ['printer.cover_open', 'io', 'major'],
      ['printer.paper_end', 'io', 'major'],
      ['printer.paper_near_end', 'io', 'minor'],
      ['printer.cutter_error', 'hardware', 'major'],
      ['printer.head_overheat', 'hardware', 'minor'],
      ['printer.unrecoverable_error', 'hardware', 'critical'],
      ['printer.line_noise', 'io', 'minor'], // issue 10: noise on its serial line (cables)
      ['maintenance.cutter_near_life', 'hardware', 'minor'], // issue 6: predictive
    ]);
  });

  it('reconnects by itself, and sends a technician only for what the merchant cannot fix', () => {
    expect(catalogEntry(FAULT_CATALOG, 'printer.disconnected').remediation.some((s) => s.automatic)).toBe(true);
    expect(catalogEntry(FAULT_CATALOG, 'printer.unrecoverable_error').needsTechnician).toBe(true);
    expect(catalogEntry(FAULT_CATALOG, 'printer.paper_end').needsTechnician).toBe(false);
  });
});
