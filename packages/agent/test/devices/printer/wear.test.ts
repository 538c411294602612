import { describe, expect, it } from 'vitest';
import { printer } from '../../../src/devices/printer/index.js';
import { printerWear, receiptCut } from '../../../src/devices/printer/wear.js';
import { receiptPaperMm } from '../../../src/devices/printer/receipt.js';

describe('the printer\'s wear', () => {
  it('is a receipt cut: an event for the printer family, one cut and the paper the receipt used', () => {
    const event = receiptCut(['line one', 'line two']);
    expect(event).toEqual({ type: 'wear', family: printer.key, detail: { paperMm: receiptPaperMm(['line one', 'line two']) } });
    expect(printer.wear).toBe(printerWear);

    const before = printerWear.empty();
    const after = printerWear.count!(printerWear.count!(before, event.detail), { paperMm: 10.6 });
    expect(before).toEqual({ printer: { cuts: 0, feedMm: 0 } });
    expect(printerWear.readings(after)).toEqual({ 'printer.cuts_total': 2, 'printer.feed_mm_total': Math.round(event.detail.paperMm + 10.6) });
  });
});
