import { describe, it } from 'vitest';
import { accelerometer } from '../../../src/devices/accelerometer/index.js';
import { expectFamilyCatalog } from '../family-catalog.js';

describe('accelerometer fault catalog', () => {
  it('holds exactly its codes, with their category and severity', () => {
    expectFamilyCatalog(accelerometer, 'accelerometer', [
      ['hardware.dropped', 'hardware', 'minor'],
      ['maintenance.terminal_drops', 'hardware', 'minor'],
    ]);
  });
});
