import type { LocalizedText } from 'posdiag-protocol';
import type { Driver } from '../../drivers/contract.js';
import { text } from '../../faults/catalog-text.js';
import type { CardVerdict } from './card-verdict.js';

/** A card reader driver that can say, over its recent swipes, whether failures were one card's (HID and serial). */
export interface CardVerdictSource {
  cardVerdict(now: number): CardVerdict;
}

const isVerdictSource = (driver: Driver): driver is Driver & CardVerdictSource => typeof (driver as Partial<CardVerdictSource>).cardVerdict === 'function';

/**
 * The merchant's hint when failures were one card's (devices/family.ts `merchantHints`): shown by
 * `status` and the self-test, never a fault and never a reading, so no fault report carries it. It
 * says which it is, never which card: nothing of the card is in it.
 */
export function cardHints(drivers: readonly Driver[], now: number): LocalizedText[] {
  const hints: LocalizedText[] = [];
  for (const driver of drivers) {
    if (!isVerdictSource(driver)) continue;
    const verdict = driver.cardVerdict(now);
    if (verdict.kind === 'damaged_card') {
      hints.push(
        text(
          `One card failed to read ${verdict.failures} times while other cards read fine: that card is damaged, not the reader. Ask the customer for another card or to insert or tap it.`,
          `同一张卡读取失败 ${verdict.failures} 次，而其他卡读取正常：是该卡片损坏，并非读卡器故障。请顾客换一张卡，或改用插卡、挥卡。`,
        ),
      );
    }
  }
  return hints;
}
