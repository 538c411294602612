import { z } from 'zod';

/** `report_drop`'s params, exactly as the control API takes them (control/protocol.ts). */
export const reportDropParams = z.strictObject({
  at: z.iso.datetime({ offset: true }),
  heightM: z.number().min(0).max(10),
  peakG: z.number().min(0).max(500),
});
export type ReportDropParams = z.infer<typeof reportDropParams>;
