import type { z } from 'zod';
import { FAMILIES } from './index.js';

type Family = (typeof FAMILIES)[number];
type Sections = { [F in Family as F['key']]: z.ZodOptional<F['config']> };

/** The config's `devices` sections, one per family in list order; an absent section is not monitored. */
export const DEVICE_SECTIONS = Object.fromEntries(FAMILIES.map((family) => [family.key, family.config.optional()])) as Sections;
