import { describe, it } from 'vitest';
import { usbGuard } from '../../../src/devices/usb-guard/index.js';
import { expectFamilyCatalog } from '../family-catalog.js';

describe('USB guard fault catalog', () => {
  it('holds exactly its codes, faults of the terminal (kind system): the unknown device and the hub\'s lock', () => {
    expectFamilyCatalog(usbGuard, 'system', [
      ['security.unknown_usb_device', 'security', 'major'],
      ['security.terminal_locked', 'security', 'critical'],
    ]);
  });
});
