import { fileURLToPath } from 'node:url';
import { systemClock } from 'posdiag-protocol';
import { describe, expect, it } from 'vitest';
import { openHidrawDevice } from '../../../src/drivers/transports/hidraw/hidraw-device.js';
import { magtekDescriptor } from '../../../src/devices/card-reader/emulator/hidraw-card-reader.js';
import { parseReportDescriptor, ReportDescriptorError } from '../../../src/drivers/transports/hidraw/report-descriptor.js';
import { ReportFramer } from '../../../src/drivers/transports/hidraw/report-framer.js';
import { parseHidId } from '../../../src/drivers/transports/hidraw/hidraw-sysfs.js';
import { parseUevent } from '../../../src/drivers/transports/sysfs.js';

const bytes = (...b: number[]) => Uint8Array.from(b);

describe('HID report descriptor (byte level)', () => {
  it('an unnumbered MagTek descriptor: one 337-byte input report, the feature report not counted', () => {
    const layout = parseReportDescriptor(magtekDescriptor());
    expect(layout.numbered).toBe(false);
    expect([...layout.inputBytes]).toEqual([[0, 337]]);
  });

  it('a Report ID item (0x85) numbers the reports', () => {
    const layout = parseReportDescriptor(magtekDescriptor(2));
    expect(layout.numbered).toBe(true);
    expect([...layout.inputBytes]).toEqual([[2, 337]]);
  });

  it('sums bits per report id and rounds up to whole bytes (a keyboard-and-consumer composite)', () => {
    const layout = parseReportDescriptor(
      bytes(
        0x05, 0x01, 0x09, 0x06, 0xa1, 0x01,
        0x85, 0x01, // Report ID 1
        0x75, 0x01, 0x95, 0x08, 0x81, 0x02, // 8 × 1 bit modifiers
        0x75, 0x08, 0x95, 0x01, 0x81, 0x01, // 1 reserved byte (constant)
        0x75, 0x08, 0x95, 0x06, 0x81, 0x00, // 6 key codes
        0x75, 0x01, 0x95, 0x05, 0x91, 0x02, // 5 LED bits: an Output, not counted
        0xc0,
        0x85, 0x03, // Report ID 3
        0x75, 0x10, 0x95, 0x01, 0x81, 0x00, // one 16-bit usage
        0x75, 0x01, 0x95, 0x03, 0x81, 0x02, // 3 bits: 19 bits, 3 bytes
      ),
    );
    expect(layout.numbered).toBe(true);
    expect(Object.fromEntries(layout.inputBytes)).toEqual({ 1: 8, 3: 3 });
  });

  it('reads 2- and 4-byte item data little-endian, and Push/Pop restore the globals', () => {
    const layout = parseReportDescriptor(
      bytes(
        0x76, 0x08, 0x00, // Report Size 8 (2-byte data)
        0x97, 0x50, 0x01, 0x00, 0x00, // Report Count 336 (4-byte data)
        0xa4, // Push
        0x75, 0x01, 0x95, 0x01, // size 1, count 1
        0x81, 0x02, // 1 bit
        0xb4, // Pop: back to 8 × 336
        0x81, 0x02,
      ),
    );
    expect(Object.fromEntries(layout.inputBytes)).toEqual({ 0: Math.ceil((1 + 8 * 336) / 8) });
  });

  it('steps over long items by their own length', () => {
    const layout = parseReportDescriptor(bytes(0xfe, 0x03, 0x42, 0x85, 0x85, 0x85, 0x75, 0x08, 0x95, 0x04, 0x81, 0x02));
    expect(layout.numbered).toBe(false);
    expect(Object.fromEntries(layout.inputBytes)).toEqual({ 0: 4 });
  });

  it('refuses a cut-off item, Report ID 0, a Pop without Push, and an input before the first Report ID', () => {
    expect(() => parseReportDescriptor(bytes(0x75, 0x08, 0x96, 0x01))).toThrow(ReportDescriptorError);
    expect(() => parseReportDescriptor(bytes(0xfe, 0x05, 0x01, 0x00))).toThrow(/long item at byte 0 is cut off/);
    expect(() => parseReportDescriptor(bytes(0x85, 0x00))).toThrow(/Report ID 0/);
    expect(() => parseReportDescriptor(bytes(0xb4))).toThrow(/Pop at byte 0 without a Push/);
    expect(() => parseReportDescriptor(bytes(0x75, 0x08, 0x95, 0x01, 0x81, 0x02, 0x85, 0x01, 0x81, 0x02))).toThrow(/before the first Report ID/);
  });
});

describe('report framing of a stream (a FIFO standing for hidraw)', () => {
  it('cuts reports by length across chunk boundaries and strips the Report ID', () => {
    const framer = new ReportFramer({ numbered: true, inputBytes: new Map([[2, 4], [5, 1]]) });
    const chunk1 = Buffer.from([2, 0xa, 0xb]);
    expect(framer.push(chunk1)).toEqual([]);
    const chunk2 = Buffer.from([0xc, 0xd, 5, 0xe, 2]);
    const out = framer.push(chunk2);
    expect(out).toEqual([{ report: Buffer.from([0xa, 0xb, 0xc, 0xd]) }, { report: Buffer.from([0xe]) }]);
    // The third report's first byte was held back until the rest came.
    const out2 = framer.push(Buffer.from([1, 2, 3, 4]));
    expect(out2).toEqual([{ report: Buffer.from([1, 2, 3, 4]) }]);
  });

  it('an unknown Report ID: everything from it comes out as garbage (no resync is trustworthy)', () => {
    const framer = new ReportFramer({ numbered: true, inputBytes: new Map([[2, 2]]) });
    expect(framer.push(Buffer.from([2, 1, 1, 9, 7, 7, 2, 1]))).toEqual([{ report: Buffer.from([1, 1]) }, { garbage: Buffer.from([9, 7, 7, 2, 1]) }]);
    expect(framer.push(Buffer.from([2, 4, 4]))).toEqual([{ report: Buffer.from([4, 4]) }]);
  });

  it('unnumbered: fixed length, no prefix', () => {
    const framer = new ReportFramer({ numbered: false, inputBytes: new Map([[0, 3]]) });
    expect(framer.push(Buffer.from([1, 2, 3, 4, 5]))).toEqual([{ report: Buffer.from([1, 2, 3]) }]);
    expect(framer.push(Buffer.from([6]))).toEqual([{ report: Buffer.from([4, 5, 6]) }]);
  });
});

describe('hidraw uevent', () => {
  it('HID_ID is bus:vendor:product in hex', () => {
    const fields = parseUevent('DRIVER=hid-generic\nHID_ID=0003:00000801:00000002\nHID_NAME=Mag-Tek USB Swipe Reader\nHID_UNIQ=\n');
    expect(fields).toMatchObject({ HID_NAME: 'Mag-Tek USB Swipe Reader', HID_UNIQ: '' });
    expect(parseHidId(fields.HID_ID)).toEqual({ bus: 3, vendorId: 0x0801, productId: 0x0002 });
    expect(parseHidId('0003:00010801:00000002')).toBeUndefined();
    expect(parseHidId('garbage')).toBeUndefined();
    expect(parseHidId(undefined)).toBeUndefined();
  });
});

describe('reading a character device (as the kernel hidraw node is read)', () => {
  it('takes each read whole as one report, without framing, and cuts the Report ID byte of a numbered descriptor', async () => {
    // /dev/zero is a character device that answers every read in full: a stand-in for one big report.
    const device = await openHidrawDevice('/dev/zero', { clock: systemClock, layout: { numbered: true, inputBytes: new Map([[1, 8]]) } });
    try {
      const report = await new Promise<Buffer>((resolve) => device.on('data', resolve));
      expect(report.length).toBe(16_384 - 1);
    } finally {
      await device.close();
    }
  });

  it('refuses a node that is neither a character device nor framable (no descriptor)', async () => {
    await expect(openHidrawDevice(fileURLToPath(import.meta.url), { clock: systemClock, layout: undefined })).rejects.toThrow(/not a character device and its report descriptor could not be read/);
  });
});
