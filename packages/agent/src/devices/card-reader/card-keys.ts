import { createHmac, randomBytes } from 'node:crypto';

/**
 * Telling cards apart without knowing them: a card is its account number's HMAC-SHA256 under a key
 * made when the agent starts and never written anywhere, interned to an opaque CardKey object. Two
 * swipes of one card give the same CardKey (the same object) while the agent runs; after a restart
 * nothing links them, and no output can hold one: a CardKey prints and serialises as "[card]", and
 * the HMACs live only in this object's private map.
 *
 * Invariants (PCI DSS 3.3.1, SPEC §8): the account number is read from the bytes it came in (never a
 * string); the map holds at most MAX_CARDS keys (the oldest forgotten first), so a busy terminal's
 * memory stays bounded; nothing here logs.
 */
export class CardKey {
  toString(): string {
    return '[card]';
  }
  toJSON(): string {
    return '[card]';
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return 'CardKey [card]';
  }
}

const MAX_CARDS = 256;

export class CardKeys {
  readonly #key = randomBytes(32);
  readonly #cards = new Map<string, CardKey>();

  /** The card of an account number's digits (ASCII bytes), or undefined when they are not 12 to 19 digits. */
  of(accountDigits: Uint8Array | null): CardKey | undefined {
    if (!accountDigits || accountDigits.length < 12 || accountDigits.length > 19) return undefined;
    for (const b of accountDigits) if (b < 0x30 || b > 0x39) return undefined;
    const id = createHmac('sha256', this.#key).update(accountDigits).digest('base64');
    let card = this.#cards.get(id);
    if (card) {
      // Most recently seen last, so the oldest card is the one forgotten.
      this.#cards.delete(id);
    } else {
      card = new CardKey();
      if (this.#cards.size >= MAX_CARDS) this.#cards.delete(this.#cards.keys().next().value!);
    }
    this.#cards.set(id, card);
    return card;
  }
}

const PERCENT = 0x25;
const CARET = 0x5e;
const SEMICOLON = 0x3b;
const EQUALS = 0x3d;
const B = 0x42;

/**
 * The account number's digits inside one track's text (a view into `track`, not a copy): track 1
 * `%B<digits>^…`, track 2 `;<digits>=…`. Null when the track has no such field.
 */
export function accountDigits(track: Uint8Array): Uint8Array | null {
  if (track[0] === PERCENT && track[1] === B) {
    const end = track.indexOf(CARET, 2);
    return end > 2 ? track.subarray(2, end) : null;
  }
  if (track[0] === SEMICOLON) {
    const end = track.indexOf(EQUALS, 1);
    return end > 1 ? track.subarray(1, end) : null;
  }
  return null;
}
