import { z } from 'zod';
import type { Readings } from '../../core/readings.js';
import type { FamilyWear } from '../family.js';
import type { DropWear } from './drop-record.js';

/** The terminal's lifetime drops: how many, and the latest (`accelerometer` in `lifetime-counters.json`). */
export type AccelerometerWear = { accelerometer: { drops: number; lastDropAt: number | null } };

/** `accelerometer.drops_total` and `accelerometer.last_drop_at`: what maintenance.terminal_drops judges. */
export const accelerometerWear: FamilyWear<AccelerometerWear, DropWear> = {
  fields: { accelerometer: z.object({ drops: z.number().int().nonnegative(), lastDropAt: z.number().nullable() }) },
  empty: () => ({ accelerometer: { drops: 0, lastDropAt: null } }),
  count: ({ accelerometer }, drop) => ({ accelerometer: { drops: accelerometer.drops + 1, lastDropAt: Math.max(drop.at, accelerometer.lastDropAt ?? drop.at) } }),
  readings({ accelerometer }) {
    const out: Readings = { 'accelerometer.drops_total': accelerometer.drops };
    if (accelerometer.lastDropAt !== null) out['accelerometer.last_drop_at'] = new Date(accelerometer.lastDropAt).toISOString();
    return out;
  },
};
