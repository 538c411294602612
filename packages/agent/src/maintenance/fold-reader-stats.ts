import { dropLegacyReadCounts, legacyReadCounts } from '../devices/card-reader/reader-stats.js';
import { cardReaderWear, type CardReaderWear } from '../devices/card-reader/wear.js';
import type { LifetimeFile, WearPart } from './lifetime-counters.js';

/**
 * The one-off move of the card reader's lifetime good and failed reads out of
 * `<state>/card-reader-stats.json`, where earlier versions counted each swipe a second time, into the
 * lifetime counters, which count it from the swipe's device event from now on.
 *
 * Whether the move happened is told by the lifetime file itself: one written since has `cardReads`;
 * one written before has not, nor has a missing or unreadable one, whose counts are gone anyway. The
 * order of the two writes is what keeps a crash from losing or doubling the counts:
 *   1. the lifetime file, with the old counts added, and so with `cardReads`;
 *   2. the reader's file, without them.
 * A crash before 1 leaves both files as they were, and the next start folds. A crash between 1 and 2
 * leaves the counts in both, and the next start, seeing `cardReads`, only does 2.
 *
 * Neither write may stop the agent starting: if 1 fails, the counts are still in memory and the reader's
 * file keeps them (the next start folds them again, into a file that never got them, unless a periodic
 * save has written them meanwhile); if 2 fails, the next start retries it.
 */
export function foldReaderStats(stateDir: string, stored: LifetimeFile | undefined, parts: readonly WearPart[], save: () => void): void {
  const reader = parts.find((part) => part.wear === cardReaderWear);
  const legacy = reader && legacyReadCounts(stateDir);
  if (!reader || !legacy) return;
  try {
    if (stored?.cardReads === undefined) {
      const { cardReads } = reader.state as CardReaderWear;
      reader.state = { ...reader.state, cardReads: { good: cardReads.good + legacy.good, failed: cardReads.failed + legacy.failed } };
      save();
    }
    dropLegacyReadCounts(stateDir);
  } catch {
    // Each failure is taken up again at the next start, as told above.
  }
}
