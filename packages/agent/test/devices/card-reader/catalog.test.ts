import { describe, expect, it } from 'vitest';
import { FAULT_CATALOG } from '../../../src/devices/catalog.js';
import { cardReader } from '../../../src/devices/card-reader/index.js';
import { catalogEntry } from '../../../src/faults/catalog.js';
import { expectFamilyCatalog } from '../family-catalog.js';

describe('card reader fault catalog', () => {
  it('holds exactly its codes, with their category and severity', () => {
    expectFamilyCatalog(cardReader, 'cardReader', [
      ['card_reader.disconnected', 'hardware', 'critical'],
      ['card_reader.read_errors_high', 'io', 'major'],
      ['card_reader.identity_changed', 'security', 'critical'],
      ['card_reader.line_noise', 'io', 'minor'], // issue 10: noise on its serial line (cables)
      ['maintenance.card_reader_degrading', 'hardware', 'minor'], // issue 6: predictive
    ]);
  });

  it('sends a technician when the reader is not the enrolled one', () => {
    expect(catalogEntry(FAULT_CATALOG, 'card_reader.identity_changed').needsTechnician).toBe(true);
  });
});
