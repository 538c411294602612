import { z } from 'zod';
import { DURATION_EXAMPLES, DURATION_PATTERN } from 'posdiag-protocol';

/**
 * The pieces every config section is made of, the device families' sections among them (kept apart
 * from schema.ts, which is assembled from the families: a family's section must not import it).
 */

/** A duration in the one grammar (posdiag-protocol's duration.ts); rule files use it too. */
export const duration = z.string().regex(DURATION_PATTERN, `a duration such as ${DURATION_EXAMPLES}`);

/** A device section's `interval` and `timeout`. */
export const pollTiming = {
  interval: duration.optional().describe('how often the device is polled'),
  timeout: duration.optional().describe('longest one poll may take'),
};

export const usbId = z.number().int().min(0).max(0xffff);
