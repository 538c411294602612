import { z } from 'zod';
import { pollTiming } from '../../config/section.js';

/** `devices.modem`: the mobile modem's AT command port. */
export const modemSection = z.strictObject({ path: z.string().min(1), baudRate: z.number().int().positive().default(115200), ...pollTiming });
export type ModemConfig = z.output<typeof modemSection>;
