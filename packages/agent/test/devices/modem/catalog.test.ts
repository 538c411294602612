import { describe, expect, it } from 'vitest';
import { FAULT_CATALOG } from '../../../src/devices/catalog.js';
import { modem } from '../../../src/devices/modem/index.js';
import { catalogEntry } from '../../../src/faults/catalog.js';
import { expectFamilyCatalog } from '../family-catalog.js';

describe('modem fault catalog', () => {
  it('holds exactly its codes, with their category and severity', () => {
    expectFamilyCatalog(modem, 'modem', [
      ['modem.unresponsive', 'hardware', 'major'],
      ['modem.sim_missing', 'hardware', 'critical'],
      ['modem.sim_locked', 'security', 'major'],
      ['modem.not_registered', 'network', 'major'],
      ['modem.registration_denied', 'network', 'critical'],
      ['modem.signal_weak', 'network', 'minor'],
      ['modem.line_noise', 'io', 'minor'], // issue 10: noise on its serial line (cables)
    ]);
  });

  it('resets a silent modem by itself', () => {
    expect(catalogEntry(FAULT_CATALOG, 'modem.unresponsive').remediation.some((s) => s.automatic)).toBe(true);
  });
});
