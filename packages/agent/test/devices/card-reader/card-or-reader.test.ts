import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { accountDigits, CardKeys } from '../../../src/devices/card-reader/card-keys.js';
import { cardVerdict } from '../../../src/devices/card-reader/card-verdict.js';
import { cardHints } from '../../../src/devices/card-reader/card-hint.js';
import { consumeMagTekReport } from '../../../src/devices/card-reader/magtek-report.js';
import { TrackFrameParser } from '../../../src/devices/card-reader/track-frames.js';
import { SwipeWindow } from '../../../src/devices/card-reader/swipe-window.js';
import { HidCardReaderDriver } from '../../../src/devices/card-reader/hid-card-reader-driver.js';
import { HidCardReaderEmulator, reports, SIM_READER_INFO, TEST_CARDS, track1, track2 } from '../../../src/devices/card-reader/emulator/hid-card-reader.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordingLogger } from '../../../../../test/support/recording-logger.js';
import { FakeClock } from '../../../../../test/support/fake-clock.js';

const bytes = (text: string) => Buffer.from(text, 'latin1');

describe('cards told apart by a keyed hash, in memory only', () => {
  it('the same card is the same key, another card another; nothing of it prints or serialises', () => {
    const keys = new CardKeys();
    const visa = keys.of(accountDigits(bytes(track2(TEST_CARDS.visa))));
    expect(visa).toBeDefined();
    expect(keys.of(accountDigits(bytes(track1(TEST_CARDS.visa))))).toBe(visa);
    expect(keys.of(accountDigits(bytes(track2(TEST_CARDS.amex))))).not.toBe(visa);
    expect(JSON.stringify({ visa })).toBe('{"visa":"[card]"}');
    expect(`${visa}`).toBe('[card]');
    expect(inspect(visa)).toBe('CardKey [card]');
    expect(inspect(keys)).not.toMatch(/[A-Za-z0-9+/]{40,}/);
    // A key made at another start does not know the card.
    expect(new CardKeys().of(accountDigits(bytes(track2(TEST_CARDS.visa))))).not.toBe(visa);
  });

  it('the account number field of tracks 1 and 2; nothing else is a card', () => {
    expect(Buffer.from(accountDigits(bytes(track2('5555555555554444')))!).toString('latin1')).toBe('5555555555554444');
    expect(Buffer.from(accountDigits(bytes(track1('378282246310005')))!).toString('latin1')).toBe('378282246310005');
    expect(accountDigits(bytes(';E?'))).toBeNull();
    expect(new CardKeys().of(bytes('12345'))).toBeUndefined();
  });

  it('a MagTek report names its card from a track that decoded, then is zeroed; a failed read names none', () => {
    const keys = new CardKeys();
    const good = reports.good('visa');
    const first = consumeMagTekReport(good, keys);
    expect(good.every((b) => b === 0)).toBe(true);
    const partial = consumeMagTekReport(reports.partial('visa'), keys);
    expect(first.ok && partial.ok && first.card !== undefined && first.card === partial.card).toBe(true);
    const failed = consumeMagTekReport(reports.failed(), keys);
    expect(failed.ok && failed.card).toBeFalsy();
  });

  it('a serial line\'s swipe names its card the same way', () => {
    const keys = new CardKeys();
    const parser = new TrackFrameParser(keys);
    const line = bytes(`${track1(TEST_CARDS.amex)}${track2(TEST_CARDS.amex)}\r`);
    const [a] = parser.push(line);
    const [b] = parser.push(bytes(`${track1(TEST_CARDS.amex)};E?\r`));
    expect(line.every((x) => x === 0)).toBe(true);
    expect(a?.type === 'swipe' && b?.type === 'swipe' && a.card !== undefined && a.card === b.card).toBe(true);
  });
});

describe('card or reader?', () => {
  const keys = new CardKeys();
  const [v, m, a] = [TEST_CARDS.visa, TEST_CARDS.mastercard, TEST_CARDS.amex].map((pan) => keys.of(accountDigits(bytes(track2(pan)))));

  it('failures concentrated on one card while others read: that card is damaged', () => {
    const verdict = cardVerdict([{ failed: false, card: v }, { failed: true, card: a }, { failed: true, card: a }, { failed: false, card: m }, { failed: true, card: a }]);
    expect(verdict).toMatchObject({ kind: 'damaged_card', failures: 3 });
  });

  it('failures spread over several cards: the reader; too little to tell: unknown', () => {
    expect(cardVerdict([{ failed: true, card: a }, { failed: true, card: v }, { failed: false, card: m }])).toEqual({ kind: 'reader', cards: 2 });
    expect(cardVerdict([{ failed: true, card: a }, { failed: false, card: v }, { failed: false, card: m }])).toEqual({ kind: 'unknown' });
    expect(cardVerdict([{ failed: true, card: a }, { failed: true, card: a }, { failed: false, card: a }])).toEqual({ kind: 'unknown' });
    // A failure no track identified could be any card's: the verdict stands on the identified ones, and it stays the reader's.
    expect(cardVerdict([{ failed: true, card: a }, { failed: true, card: a }, { failed: true, card: undefined }, { failed: false, card: v }, { failed: false, card: m }])).toMatchObject({ kind: 'damaged_card', failures: 2 });
    expect(cardVerdict([{ failed: true, card: undefined }, { failed: true, card: undefined }, { failed: false, card: v }])).toEqual({ kind: 'unknown' });
  });

  it('a damaged card\'s failures are not the reader\'s: the window the read_errors_high rule judges leaves them out', () => {
    const window = new SwipeWindow({ size: 10, maxAgeMs: 60_000 });
    [v, a, a, a, a, m, v].forEach((card, i) => window.record(i, card === a, card));
    expect(window.counts(10)).toMatchObject({ swipes: 7, failures: 0, verdict: { kind: 'damaged_card', failures: 4 } });
    const dirty = new SwipeWindow({ size: 10, maxAgeMs: 60_000 });
    [v, a, m, v, a, m].forEach((card, i) => dirty.record(i, i > 0, card));
    expect(dirty.counts(10)).toMatchObject({ swipes: 6, failures: 5, verdict: { kind: 'reader', cards: 3 } });
  });

  it('the HID driver\'s hint: a damaged card among good ones, in both languages and without a card in it; none for a dirty head', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'posdiag-card-or-reader-'));
    const clock = new FakeClock();
    const reader = new HidCardReaderEmulator(SIM_READER_INFO);
    const driver = new HidCardReaderDriver({ transport: 'hid', vendorId: SIM_READER_INFO.vendorId, productId: SIM_READER_INFO.productId }, dir, { clock, log: recordingLogger() }, { loadBackend: async () => reader, hotplug: null });
    try {
      await driver.poll(new AbortController().signal);
      for (const report of [reports.good('visa'), reports.partial('amex'), reports.partial('amex'), reports.good('mastercard'), reports.partial('amex'), reports.partial('amex')]) reader.swipe(report);
      const { readings } = await driver.poll(new AbortController().signal);
      expect(readings).toMatchObject({ 'card_reader.window_swipes': 6, 'card_reader.window_failures': 0, 'card_reader.read_errors': 4 });
      const hints = cardHints([driver], clock.now());
      expect(hints).toHaveLength(1);
      expect(hints[0]!.en).toMatch(/^One card failed to read 4 times while other cards read fine: that card is damaged, not the reader/);
      expect(hints[0]!['zh-CN']).toMatch(/是该卡片损坏，并非读卡器故障/);
      expect(JSON.stringify(hints)).not.toMatch(/3782|8224|0005/);
      // Then a dirty head: failures no track identifies count against the reader (4 of the window's 10).
      for (let i = 0; i < 4; i++) reader.swipe(reports.failed());
      expect((await driver.poll(new AbortController().signal)).readings['card_reader.window_failures']).toBe(4);
    } finally {
      await driver.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
