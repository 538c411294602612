import { describe, it } from 'vitest';
import { system } from '../../../src/devices/system/index.js';
import { expectFamilyCatalog } from '../family-catalog.js';

describe('system fault catalog', () => {
  it('holds exactly its codes, with their category and severity', () => {
    expectFamilyCatalog(system, 'system', [
      ['system.disk_low', 'software', 'major'],
      ['system.memory_low', 'software', 'major'],
      ['system.clock_skew', 'software', 'major'],
      ['system.overheat', 'hardware', 'major'],
    ]);
  });
});
