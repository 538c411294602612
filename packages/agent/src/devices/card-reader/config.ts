import { z } from 'zod';
import { pollTiming, usbId } from '../../config/section.js';

/** `devices.cardReader`: a USB HID swipe reader (node-hid, or the kernel's hidraw node), a serial one, or a smart-card reader through pcscd. */
const hidReader = z.strictObject({
  transport: z.literal('hid'),
  vendorId: usbId,
  productId: usbId,
  ...pollTiming,
});
/** The same HID reader read from `<paths.dev>/hidrawN` in JavaScript: no node-hid, no libusb (Android). */
const hidrawReader = z.strictObject({
  transport: z.literal('hidraw'),
  vendorId: usbId,
  productId: usbId,
  ...pollTiming,
});
const serialReader = z.strictObject({
  transport: z.literal('serial'),
  path: z.string().min(1),
  baudRate: z.number().int().positive().default(9600),
  ...pollTiming,
});
const pcscReader = z.strictObject({
  transport: z.literal('pcsc'),
  reader: z.string().min(1).describe('reader name pattern'),
  ...pollTiming,
});

export const cardReaderSection = z.discriminatedUnion('transport', [hidReader, hidrawReader, serialReader, pcscReader]);
export type CardReaderConfig = z.output<typeof cardReaderSection>;
