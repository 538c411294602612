import { z } from 'zod';
import { pollTiming } from '../../config/section.js';

/** `devices.system`: the terminal itself (storage, memory, CPU temperature, clock); nothing to name but the timing. */
export const systemSection = z.strictObject({ ...pollTiming });
export type SystemConfig = z.output<typeof systemSection>;
