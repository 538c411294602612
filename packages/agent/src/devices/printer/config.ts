import { DURATION_PATTERN, parseDuration } from 'posdiag-protocol';
import { z } from 'zod';
import { duration, pollTiming, usbId } from '../../config/section.js';

/** `devices.printer`: an ESC/POS printer on a serial line or on USB (printer class or vendor bulk), or one the payment app relays. */
const serialPrinter = z.strictObject({
  transport: z.literal('serial'),
  path: z.string().min(1),
  baudRate: z.number().int().positive().default(115200),
  ...pollTiming,
});
const usbPrinter = z.strictObject({
  transport: z.literal('usb'),
  vendorId: usbId,
  productId: usbId,
  interface: z.number().int().min(0).optional(),
  ...pollTiming,
});

/** A printer behind the vendor's system service (Android POS): the payment app relays its status (app-printer-driver.ts). */
const appPrinter = z.strictObject({
  transport: z.literal('app'),
  staleAfter: duration
    .superRefine((text, ctx) => {
      if (!DURATION_PATTERN.test(text)) return; // the pattern's own issue says so
      let ms: number;
      try {
        ms = parseDuration(text);
      } catch (err) {
        return void ctx.addIssue({ code: 'custom', message: (err as Error).message });
      }
      if (ms < 1000) ctx.addIssue({ code: 'custom', message: 'at least 1s: the app needs time to relay' });
    })
    .default('45s')
    .describe("how long without a relayed status before the printer's state is unknown"),
  ...pollTiming,
});

export const printerSection = z.discriminatedUnion('transport', [serialPrinter, usbPrinter, appPrinter]);
export type PrinterConfig = z.output<typeof printerSection>;
