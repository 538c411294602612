import { z } from 'zod';
import type { WearEvent } from '../../drivers/contract.js';
import type { FamilyWear } from '../family.js';
import { receiptPaperMm } from './receipt.js';

/** A receipt that printed and was cut (the printer reported itself fine after it, so the cut ran). */
export interface ReceiptCut {
  /** Paper it used, in mm. */
  readonly paperMm: number;
}

/** The printer's lifetime counters: the cutter's cuts and the paper fed through. */
export type PrinterWear = { printer: { cuts: number; feedMm: number } };

/** A receipt that printed, as the wear counters take it: one cut and the paper it used. */
export function receiptCut(lines: readonly string[]): WearEvent<ReceiptCut> {
  return { type: 'wear', family: 'printer', detail: { paperMm: receiptPaperMm(lines) } };
}

/** `printer.cuts_total` (what maintenance.cutter_near_life judges) and `printer.feed_mm_total`. */
export const printerWear: FamilyWear<PrinterWear, ReceiptCut> = {
  fields: { printer: z.object({ cuts: z.number().int().nonnegative(), feedMm: z.number().nonnegative() }) },
  empty: () => ({ printer: { cuts: 0, feedMm: 0 } }),
  count: ({ printer }, cut) => ({ printer: { cuts: printer.cuts + 1, feedMm: printer.feedMm + cut.paperMm } }),
  readings: ({ printer }) => ({ 'printer.cuts_total': printer.cuts, 'printer.feed_mm_total': Math.round(printer.feedMm) }),
};
