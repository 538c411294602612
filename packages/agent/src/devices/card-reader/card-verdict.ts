import type { CardKey } from './card-keys.js';

/**
 * Card or reader? Over the swipes of the recent window (swipe-window.ts), each with the card it came
 * from when a track still told its account number (card-keys.ts):
 *
 * - `damaged_card`: one card failed MIN_CARD_FAILURES times or more, no other card is known to have
 *   failed, and other cards read fine (MIN_OTHER_GOOD good swipes): that card is damaged; a merchant
 *   hint, never a fault, and its failures do not count against the reader. Failures no track
 *   identified could be any card's: they still count against the reader;
 * - `reader`: failures spread over two or more different cards: the reader (card_reader.read_errors_high);
 * - `unknown`: neither (too few failures, only failures no track identified, too few other cards).
 *
 * Pure: the entries in, the verdict out.
 */
export const MIN_CARD_FAILURES = 2;
export const MIN_OTHER_GOOD = 2;

export interface VerdictSwipe {
  failed: boolean;
  card: CardKey | undefined;
}

export type CardVerdict = { kind: 'damaged_card'; failures: number; card: CardKey } | { kind: 'reader'; cards: number } | { kind: 'unknown' };

export function cardVerdict(swipes: readonly VerdictSwipe[]): CardVerdict {
  const failuresByCard = new Map<CardKey, number>();
  for (const s of swipes) if (s.failed && s.card) failuresByCard.set(s.card, (failuresByCard.get(s.card) ?? 0) + 1);
  if (failuresByCard.size >= 2) return { kind: 'reader', cards: failuresByCard.size };
  const [only] = failuresByCard;
  if (!only) return { kind: 'unknown' };
  const [card, failures] = only;
  const othersGood = swipes.filter((s) => !s.failed && s.card !== card).length;
  return failures >= MIN_CARD_FAILURES && othersGood >= MIN_OTHER_GOOD ? { kind: 'damaged_card', failures, card } : { kind: 'unknown' };
}
