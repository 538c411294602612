import { describe, expect, it } from 'vitest';
import { cardReader } from '../../../src/devices/card-reader/index.js';
import { cardReaderWear, RECENT_SWIPES, swipeEvent, type Swipe } from '../../../src/devices/card-reader/wear.js';

const swipes = (list: Swipe['tracks'][]) => list.reduce((state, tracks) => cardReaderWear.count!(state, { tracks }), cardReaderWear.empty());

describe('the card reader\'s wear', () => {
  it('is a swipe: an event for the card reader family with each track\'s outcome, never its data', () => {
    const event = swipeEvent({ outcome: 'partial', encodeType: 'iso', tracks: [{ status: 'ok', length: 76 }, { status: 'decode_error', length: 0 }, { status: 'empty', length: 0 }] });
    expect(event).toEqual({ type: 'wear', family: cardReader.key, detail: { tracks: ['ok', 'failed', 'empty'] } });
    expect(cardReader.wear).toBe(cardReaderWear);
  });

  it('counts a whole read good only when a track read and none failed, and wears only the tracks the card had something on', () => {
    const empty = cardReaderWear.empty();
    const state = swipes([['ok', 'ok', 'empty'], ['ok', 'failed', 'empty'], ['empty', 'empty', 'empty']]);
    expect(state.cardReads).toEqual({ good: 1, failed: 2 });
    expect(state.cardReader).toEqual({
      '1': { swipes: 2, failures: 0, recent: [true, true] },
      '2': { swipes: 2, failures: 1, recent: [true, false] },
      '3': { swipes: 0, failures: 0, recent: [] },
    });
    expect(empty).toEqual(cardReaderWear.empty());
  });

  it('keeps the latest swipes per track for the failure rise, and tells the rise once there is a baseline', () => {
    const older = Array.from({ length: 100 }, (_, i): Swipe['tracks'] => [i === 0 ? 'failed' : 'ok', 'empty', 'empty']);
    const recent = Array.from({ length: RECENT_SWIPES }, (_, i): Swipe['tracks'] => [i < 5 ? 'failed' : 'ok', 'empty', 'empty']);
    const state = swipes([...older, ...recent]);
    expect(state.cardReader['1'].recent).toHaveLength(RECENT_SWIPES);
    // 5 of the latest 50 (10 %) against 1 of the 100 before (1 %).
    expect(cardReaderWear.readings(state)).toMatchObject({ 'card_reader.track.1.swipes_total': 150, 'card_reader.track.1.failure_rise_pts': 9 });
    expect(cardReaderWear.readings(swipes(recent))).not.toHaveProperty('card_reader.track.1.failure_rise_pts');
  });
});
