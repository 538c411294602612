import type { z } from 'zod';
import type { FamilyDemo } from '../family.js';
import type { cardReaderSection } from './config.js';
import { HidCardReaderEmulator, reports, SIM_READER_INFO, type TestCard } from './emulator/hid-card-reader.js';

/**
 * A MagTek HID swipe reader behind the HID seam: three good swipes of the canary test cards from 2 s,
 * then a damaged card (its track 2 worn) failing three times while the others read: the merchant's
 * hint, no fault; then four failed reads in a row on a dirty head from 6 s (card_reader.read_errors_high).
 */
export const demo: FamilyDemo<z.input<typeof cardReaderSection>, HidCardReaderEmulator> = {
  async start() {
    const reader = new HidCardReaderEmulator(SIM_READER_INFO);
    return {
      device: reader,
      section: { transport: 'hid', vendorId: SIM_READER_INFO.vendorId, productId: SIM_READER_INFO.productId, interval: '5s' },
      overrides: { hid: reader },
      scenario: [
        ...(['visa', 'mastercard', 'visa'] as const).map((card: TestCard, i) => ({ atMs: 2_000 + i * 500, say: `a ${card} test card is swiped: good read`, act: () => reader.swipe(reports.good(card)) })),
        ...[0, 1, 2].map((i) => ({ atMs: 3_500 + i * 500, say: `a damaged amex card is swiped: track 2 fails (${i + 1})`, act: () => reader.swipe(reports.partial('amex')) })),
        ...[0, 1, 2, 3].map((i) => ({ atMs: 6_000 + i * 1_000, say: `a card is swiped on a dirty head: read error ${i + 1}`, act: () => reader.swipe(reports.failed()) })),
      ],
      close: () => {},
    };
  },
};
