import type { Driver } from '../../drivers/contract.js';
import type { ReceiptResult } from './printer-receipt-result.js';

/** A printer driver that can print (ESC/POS serial and USB drivers): the self-test's receipts, the verdict. */
export interface ReceiptPrinter {
  printReceipt(lines: readonly string[], signal: AbortSignal): Promise<ReceiptResult>;
}

export const isReceiptPrinter = (driver: Driver): driver is Driver & ReceiptPrinter =>
  driver.kind === 'printer' && typeof (driver as Partial<ReceiptPrinter>).printReceipt === 'function';

