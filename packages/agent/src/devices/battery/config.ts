import { z } from 'zod';
import { pollTiming } from '../../config/section.js';

/** `devices.battery`: the kernel's power_supply class in sysfs, or Android's `dumpsys battery`. */
const sysfsBattery = z.strictObject({
  source: z.literal('sysfs'),
  name: z.string().min(1).optional().describe('power_supply name, e.g. BAT0; default: first type=Battery'),
  ...pollTiming,
});
const dumpsysBattery = z.strictObject({
  source: z.literal('dumpsys'),
  command: z.array(z.string().min(1)).min(1).default(['dumpsys', 'battery']),
  ...pollTiming,
});

export const batterySection = z.discriminatedUnion('source', [sysfsBattery, dumpsysBattery]);
export type BatteryConfig = z.output<typeof batterySection>;
