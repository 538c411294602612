import { describe, expect, it } from 'vitest';
import { holdsCardData, luhnValid, maskPan, scrubText, scrubValue, TRACK_PLACEHOLDER } from '../../src/core/card-scrubber.js';

const CANARIES = ['4111111111111111', '5555555555554444', '378282246310005', '6011111111111117'];

describe('card scrubber', () => {
  it('knows Luhn', () => {
    for (const pan of CANARIES) expect(luhnValid(pan)).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
  });

  it('masks a PAN to BIN + last 4', () => {
    expect(maskPan('4111111111111111')).toBe('411111******1111');
    expect(scrubText('card 4111111111111111 declined')).toBe('card 411111******1111 declined');
    expect(scrubText('pan=5555-5555-5555-4444;')).toBe('pan=555555******4444;');
    expect(scrubText('4111 1111 1111 1111')).toBe('411111******1111');
  });

  it('removes track 1 and track 2 whole', () => {
    const t1 = '%B4111111111111111^DOE/JOHN^2512101123456789?';
    const t2 = ';4111111111111111=25121011234567890?';
    const out = scrubText(`read ${t1} and ${t2} done`);
    expect(out).toBe(`read ${TRACK_PLACEHOLDER} and ${TRACK_PLACEHOLDER} done`);
    expect(scrubText('4111111111111111=2512101')).toBe(TRACK_PLACEHOLDER);
  });

  it('leaves numbers that are not PANs alone', () => {
    const text = 'serial 1234567890123 at 2026-11-23T04:00:00.000Z seq 12345678901234567';
    expect(scrubText(text)).toBe(text);
    // A Luhn-valid run inside a longer digit run is not cut out of it.
    expect(scrubText('94111111111111111123')).toBe('94111111111111111123');
  });

  it('keeps UUIDs whole, even where their digit groups would pass for a PAN', () => {
    // 1111111-1111-1111 (15 digits across the dashes) is Luhn-valid: without the UUID rule it would be masked.
    const id = 'c1111111-1111-1111-8a9b-0123456789ab';
    expect(luhnValid('111111111111111')).toBe(false);
    expect(luhnValid('1111111111111117')).toBe(true);
    const tricky = 'c1111111-1111-1111-7a9b-0123456789ab';
    for (const uuid of [id, tricky, 'C1111111-1111-1111-7A9B-0123456789AB']) expect(scrubText(`report ${uuid} stored`)).toBe(`report ${uuid} stored`);
    expect(scrubValue({ id: tricky })).toEqual({ id: tricky });
    // A PAN beside a UUID, or dash-grouped like one, is still masked.
    expect(scrubText(`${id} 4111111111111111`)).toBe(`${id} 411111******1111`);
    expect(scrubText('4111-1111-1111-1111')).toBe('411111******1111');
  });

  it('scrubs deep values, keys and PAN-sized integers', () => {
    const out = scrubValue({ a: ['x 4111111111111111'], n: 4111111111111111, ok: 42, ['k4111111111111111']: true });
    const text = JSON.stringify(out);
    for (const pan of CANARIES) expect(text).not.toContain(pan);
    expect(out.ok).toBe(42);
    expect(out.n).toBe('411111******1111');
  });

  it('tells whether a value holds anything to scrub, without copying it', () => {
    expect(holdsCardData({ id: 'c1111111-1111-1111-7a9b-0123456789ab', at: '2026-11-23T04:00:00.000Z', n: [1, 2, 1763877600000] })).toBe(false);
    expect(holdsCardData({ deep: [{ text: 'x 4111 1111 1111 1111' }] })).toBe(true);
    expect(holdsCardData({ ['k5555555555554444']: 1 })).toBe(true);
    expect(holdsCardData([4111111111111111])).toBe(true);
    expect(holdsCardData(';4111111111111111=2512101?')).toBe(true);
  });
});
