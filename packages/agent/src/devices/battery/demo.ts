import type { z } from 'zod';
import type { FamilyDemo } from '../family.js';
import type { batterySection } from './config.js';
import { createSysfsBattery, type SysfsBattery } from './emulator/sysfs-battery.js';

/** A battery in the demo terminal's sysfs tree, unplugged at 24 %, draining below 20 % from 4 s on. */
export const demo: FamilyDemo<z.input<typeof batterySection>, SysfsBattery> = {
  async start({ sysfsRoot }) {
    const battery = createSysfsBattery(sysfsRoot, { levelPct: 24, status: 'discharging', acOnline: false });
    return {
      device: battery,
      section: { source: 'sysfs', interval: '1s' },
      overrides: {},
      shown: `battery in ${sysfsRoot}`,
      scenario: [23, 22, 21, 20, 19, 18].map((level, i) => ({ atMs: 4_000 + i * 1_500, say: `battery at ${level} %`, act: () => battery.setLevel(level) })),
      close: () => {},
    };
  },
};
