import type { Driver } from '../drivers/contract.js';
import { receiptPaperMm } from '../drivers/printer/receipt.js';
import type { LifetimeCounters } from './lifetime-counters.js';
import { TRACKS } from './maintenance-trends.js';
import { isReceiptPrinter, isSwipeSource } from '../self-test/self-test-steps.js';

/**
 * Feeds the lifetime counters from what the devices do, whoever asked them to: every card swipe (per
 * track, failures included) and every receipt cut and its paper. Returns a function that stops.
 */
export function countWear(drivers: Driver[], counters: LifetimeCounters): () => void {
  const stops: (() => void)[] = [];
  for (const driver of drivers) {
    if (isSwipeSource(driver)) {
      stops.push(
        driver.onSwipe((swipe) =>
          swipe.tracks.forEach((track, i) => {
            if (track.status !== 'empty') counters.recordSwipe(TRACKS[i]!, track.status === 'ok');
          }),
        ),
      );
    }
    if (isReceiptPrinter(driver)) {
      const print = driver.printReceipt.bind(driver);
      driver.printReceipt = async (lines, signal) => {
        const result = await print(lines, signal);
        // Counted when the printer reports itself fine after the receipt: then the cut certainly ran.
        if (result.ok) {
          counters.recordCut();
          counters.recordFeed(receiptPaperMm(lines));
        }
        return result;
      };
      stops.push(() => {
        driver.printReceipt = print;
      });
    }
  }
  return () => stops.forEach((stop) => stop());
}
