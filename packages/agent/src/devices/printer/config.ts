import { z } from 'zod';
import { pollTiming, usbId } from '../../config/section.js';

/** `devices.printer`: an ESC/POS printer on a serial line or on USB (printer class or vendor bulk). */
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

export const printerSection = z.discriminatedUnion('transport', [serialPrinter, usbPrinter]);
export type PrinterConfig = z.output<typeof printerSection>;
