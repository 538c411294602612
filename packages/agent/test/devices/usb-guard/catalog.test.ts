import { describe, it } from 'vitest';
import { usbGuard } from '../../../src/devices/usb-guard/index.js';
import { expectFamilyCatalog } from '../family-catalog.js';

describe('USB guard fault catalog', () => {
  it('holds exactly its code, a fault of the terminal (kind system)', () => {
    expectFamilyCatalog(usbGuard, 'system', [['security.unknown_usb_device', 'security', 'major']]);
  });
});
