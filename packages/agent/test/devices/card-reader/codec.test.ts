import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classifyMagTekReport, consumeMagTekReport, MAGTEK_REPORT_LENGTH } from '../../../src/devices/card-reader/magtek-report.js';
import { classifyTrackText, TrackFrameParser, type TrackFrame } from '../../../src/devices/card-reader/track-frames.js';
import { isTrackText, MIN_TRACK } from '../../../src/devices/card-reader/track-text.js';
import { magtekReport, reports, track1, track2 } from '../../../src/devices/card-reader/emulator/hid-card-reader.js';

const FIXTURES = new URL('../../../fixtures/card-reader/magtek/', import.meta.url);
const expected = JSON.parse(readFileSync(new URL('expected.json', FIXTURES), 'utf8')) as Record<string, unknown>;
const readHex = (name: string) => Buffer.from(readFileSync(new URL(`${name}.hex`, FIXTURES), 'utf8').replace(/\s+/g, ''), 'hex');

describe('MagTek HID swipe report (337 bytes)', () => {
  it.each(readdirSync(FIXTURES).filter((f) => f.endsWith('.hex')).map((f) => f.slice(0, -4)))('classifies fixture %s', (name) => {
    const report = readHex(name);
    expect(report.length).toBe(MAGTEK_REPORT_LENGTH);
    expect(classifyMagTekReport(report)).toEqual({ ok: true, swipe: expected[name] });
  });

  it('reads the layout byte by byte: statuses 0-2, lengths 3-5, encode type 6, fields at 7 / 117 / 227', () => {
    const report = Buffer.alloc(337);
    report[1] = 0x01; // track 2: decode error (bit 0)
    report[3] = 5; // track 1: 5 characters
    report.write('%A1B?', 7, 'latin1');
    report[5] = 3; // track 3: 3 characters, '+' sentinel
    report.write('+9?', 227, 'latin1');
    report[6] = 4; // encode type: other
    expect(classifyMagTekReport(report)).toEqual({
      ok: true,
      swipe: {
        outcome: 'partial',
        tracks: [
          { status: 'ok', length: 5 },
          { status: 'decode_error', length: 0 },
          { status: 'ok', length: 3 },
        ],
        encodeType: 'other',
      },
    });
    // Only bit 0 is the error flag; other bits of the status byte are reserved.
    report[1] = 0xfe;
    expect(classifyMagTekReport(report)).toMatchObject({ ok: true, swipe: { outcome: 'good', tracks: [{ status: 'ok' }, { status: 'empty' }, { status: 'ok' }] } });
  });

  it('treats a length past the 110-byte field as a decode error and an unknown encode byte as unknown', () => {
    const report = magtekReport([null, track2('4111111111111111'), null]);
    report[4] = 111;
    report[6] = 9;
    expect(classifyMagTekReport(report)).toMatchObject({ ok: true, swipe: { outcome: 'lrc_or_parity_error', encodeType: 'unknown' } });
  });

  it('refuses a report of the wrong length as a problem, not a swipe', () => {
    expect(classifyMagTekReport(Buffer.alloc(64))).toEqual({ ok: false, problem: expect.stringMatching(/length 64.*337/) });
  });

  it('returns status fields only and zeroes the raw report after classification', () => {
    const report = reports.good('visa');
    const result = consumeMagTekReport(report);
    expect(report.every((b) => b === 0)).toBe(true);
    expect(JSON.stringify(result)).not.toMatch(/4111|\^|=28/);
    const short = Buffer.from('%B4111111111111111^X^2812?');
    consumeMagTekReport(short);
    expect(short.every((b) => b === 0)).toBe(true);
  });

  it('classifies the emulator reports as a real reader would send them', () => {
    expect(classifyMagTekReport(reports.good('mastercard'))).toMatchObject({ ok: true, swipe: { outcome: 'good' } });
    expect(classifyMagTekReport(reports.failed())).toMatchObject({ ok: true, swipe: { outcome: 'lrc_or_parity_error' } });
    expect(classifyMagTekReport(reports.partial('visa'))).toMatchObject({ ok: true, swipe: { outcome: 'partial' } });
    expect(classifyMagTekReport(reports.noStartSentinel('visa'))).toMatchObject({ ok: true, swipe: { outcome: 'no_start_sentinel' } });
    expect(classifyMagTekReport(reports.blank())).toMatchObject({ ok: true, swipe: { outcome: 'blank_card', encodeType: 'blank' } });
  });
});

describe('serial track frames', () => {
  const text = (s: string) => Buffer.from(s, 'latin1');
  const swipes = (frames: TrackFrame[]) => frames.map((f) => (f.type === 'swipe' ? f.swipe : f));
  const stx = (body: string, lrcFix = 0) => {
    const bytes = [...text(body), 0x03];
    const lrc = bytes.reduce((a, b) => a ^ b, 0) ^ lrcFix;
    return Buffer.from([0x02, ...bytes, lrc]);
  };

  it('reads per-track status and lengths from %…? ;…? +…? text, failed tracks as %E? ;E? +E?', () => {
    expect(classifyTrackText(text(`${track1('4111111111111111')}${track2('4111111111111111')}`))).toEqual({
      outcome: 'good',
      tracks: [
        { status: 'ok', length: 61 },
        { status: 'ok', length: 39 },
        { status: 'empty', length: 0 },
      ],
      encodeType: 'unknown',
    });
    expect(classifyTrackText(text('%E?;E?+E?')).outcome).toBe('lrc_or_parity_error');
    expect(classifyTrackText(text(`%E?${track2('5555555555554444')}+E?`))).toMatchObject({
      outcome: 'partial',
      tracks: [{ status: 'decode_error' }, { status: 'ok', length: 39 }, { status: 'decode_error' }],
    });
    // The second ';' is track 3.
    expect(classifyTrackText(text(';123=45?;678?')).tracks.map((t) => t.status)).toEqual(['empty', 'ok', 'ok']);
  });

  it('text without a start sentinel takes the next track place; a track with no end sentinel is a decode error', () => {
    expect(classifyTrackText(text('B4111111111111111^X^2812?;4111111111111111=2812?'))).toMatchObject({
      outcome: 'partial',
      tracks: [{ status: 'no_start_sentinel', length: 25 }, { status: 'ok' }, { status: 'empty' }],
    });
    expect(classifyTrackText(text('4111111111111111=2812?')).outcome).toBe('no_start_sentinel');
    expect(classifyTrackText(text(';4111111111111111=28')).tracks[1]).toEqual({ status: 'decode_error', length: 0 });
    expect(classifyTrackText(text('')).outcome).toBe('blank_card');
  });

  it('frames lines (CR/LF) and STX…ETX LRC messages across chunk boundaries, checking the LRC', () => {
    const parser = new TrackFrameParser();
    const line = text(`${track1('4111111111111111')}${track2('4111111111111111')}\r\n`);
    const out = [...parser.push(line.subarray(0, 20)), ...parser.push(line.subarray(20))];
    expect(swipes(out)).toMatchObject([{ outcome: 'good' }]);

    const framed = stx(track2('5555555555554444'));
    expect(swipes([...parser.push(framed.subarray(0, 5)), ...parser.push(framed.subarray(5))])).toMatchObject([
      { outcome: 'good', tracks: [{ status: 'empty' }, { status: 'ok', length: 39 }, { status: 'empty' }] },
    ]);
    // A wrong LRC: the text is untrustworthy, every track that seemed fine is a decode error.
    expect(swipes(parser.push(stx(track2('5555555555554444'), 0x01)))).toMatchObject([
      { outcome: 'lrc_or_parity_error', tracks: [{ status: 'empty' }, { status: 'decode_error' }, { status: 'empty' }] },
    ]);
  });

  it('takes only text with a swipe\'s shape for track text', () => {
    const shaped = (s: string) => isTrackText(text(s));
    for (const swipe of [
      `${track1('4111111111111111')}${track2('4111111111111111')}`,
      `${track1('4111111111111111')} \t${track2('4111111111111111')}`,
      '%E?;E?+E?',
      `%E?${track2('5555555555554444')}`,
      '%?;?', // every track empty, each named
      'B4111111111111111^X^2812?;4111111111111111=2812?', // track 1 without its start sentinel
      ';4111111111111111=28', // the last track cut off before its end sentinel
    ]) {
      expect(shaped(swipe), swipe).toBe(true);
    }
    for (const noise of [
      '', // nothing
      ';?', // one empty track: two bytes noise forms by chance
      `%${'A'.repeat(MIN_TRACK - 1)}?`, // shorter than a PAN
      ';4111111111111111=28;E?', // cut off, and not last
      ';4111111111111111=2812a?', // a letter on track 2
      '%B4111111111111111^test^2812?', // lowercase is not a track 1 character
      '%B4111111111111111^X\x00^2812?', // a control byte
      '%E?\x7f',
    ]) {
      expect(shaped(noise), JSON.stringify(noise)).toBe(false);
    }
  });

  it('counts what is not a swipe as noise, byte by byte, and resynchronises after a broken frame', () => {
    const parser = new TrackFrameParser();
    const line = `${track2('4111111111111111')}\r\n`;
    // 5 bytes of garbage, a lone empty track (2), a failed track 1 (a swipe).
    expect(swipes(parser.push(text('\x01\x7fabc\r\n;?\r\n%E?\r\n')))).toEqual([
      { type: 'noise', length: 5 },
      { type: 'noise', length: 2 },
      expect.objectContaining({ outcome: 'lrc_or_parity_error' }),
    ]);
    // A stray STX, then a byte that cannot be track text (CR): the frame is noise and the line behind it reads.
    expect(swipes(parser.push(text(`\x02AB\r\n${line}`)))).toEqual([{ type: 'noise', length: 3 }, expect.objectContaining({ outcome: 'good' })]);
    // STX … ETX LRC around text without a swipe's shape: noise, whatever the LRC says.
    expect(swipes(parser.push(stx(';?')))).toEqual([{ type: 'noise', length: 5 }]);
    expect(swipes(parser.push(text(line)))).toMatchObject([{ outcome: 'good' }]);
  });

  it('zeroes every chunk it is given and reports endless text as noise', () => {
    const parser = new TrackFrameParser();
    const chunk = text(`${track2('4111111111111111')}\r`);
    parser.push(chunk);
    expect(chunk.every((b) => b === 0)).toBe(true);
    expect(parser.push(Buffer.alloc(600, 0x41))).toEqual([{ type: 'noise', length: 513 }]);
  });
});
