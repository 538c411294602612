import { z } from 'zod';
import { pollTiming, usbId } from '../../config/section.js';

/** `devices.usbGuard`: the USB devices that may be attached; any other one is a security fault. */
export const usbGuardSection = z
  .strictObject({
    allow: z
      .array(z.strictObject({ vendorId: usbId, productId: usbId, serial: z.string().min(1).optional().describe('only this unit') }))
      .default([])
      .describe('USB devices that may be attached (hubs always may)'),
    enrolPresent: z.boolean().default(true).describe('allow the devices attached at first start (kept in the state dir)'),
    ...pollTiming,
  })
  .describe('raise security.unknown_usb_device for a USB device not allowed');
export type UsbGuardConfig = z.output<typeof usbGuardSection>;
