import { describe, it } from 'vitest';
import { battery } from '../../../src/devices/battery/index.js';
import { expectFamilyCatalog } from '../family-catalog.js';

describe('battery fault catalog', () => {
  it('holds exactly its codes, with their category and severity', () => {
    expectFamilyCatalog(battery, 'battery', [
      ['battery.low', 'hardware', 'minor'],
      ['battery.critical', 'hardware', 'major'],
      ['battery.overheat', 'hardware', 'major'],
      ['battery.cold', 'hardware', 'major'],
      ['battery.failure', 'hardware', 'critical'],
      ['battery.worn', 'hardware', 'minor'],
      ['battery.not_charging', 'hardware', 'major'],
      ['maintenance.battery_fading', 'hardware', 'minor'], // issue 6: predictive
    ]);
  });
});
