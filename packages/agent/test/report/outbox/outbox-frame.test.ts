import { describe, expect, it } from 'vitest';
import { encodeEntry, parseEntry } from '../../../src/report/outbox/entries.js';
import { decodeFrames, encodeFrame, FRAME_HEADER_BYTES } from '../../../src/report/outbox/frame.js';
import { faultDraft } from '../../helpers/outbox-drafts.js';

const payloads = ['abc', '{"t":"a","seq":1}', 'x'.repeat(300)].map((text) => Buffer.from(text));
const log = Buffer.concat(payloads.map(encodeFrame));
const lastStart = log.length - encodeFrame(payloads[2]!).length;

describe('outbox frame codec', () => {
  it('frames as u32le length, u32le crc32, payload', () => {
    // crc32("abc") = 0x352441c2
    expect(encodeFrame(Buffer.from('abc')).toString('hex')).toBe('03000000' + 'c2412435' + '616263');
  });

  it('decodes a whole log with no damage', () => {
    const decoded = decodeFrames(log);
    expect(decoded.payloads.map(String)).toEqual(payloads.map(String));
    expect(decoded).toMatchObject({ goodLength: log.length, damage: null });
  });

  it('cuts a torn tail of every length at the last whole frame', () => {
    const ends = [0];
    for (const p of payloads) ends.push(ends.at(-1)! + FRAME_HEADER_BYTES + p.length);
    for (let cut = 0; cut <= log.length; cut++) {
      const decoded = decodeFrames(log.subarray(0, cut));
      const whole = ends.filter((end) => end <= cut).length - 1;
      expect(decoded.payloads.map(String)).toEqual(payloads.slice(0, whole).map(String));
      expect(decoded.goodLength).toBe(ends[whole]);
      expect(decoded.damage).toBe(cut === ends[whole] ? null : 'torn');
    }
  });

  it('detects a flipped byte anywhere in a frame and keeps the frames before it', () => {
    for (let at = lastStart; at < log.length; at++) {
      for (const mask of [0x01, 0x80, 0xff]) {
        const damaged = Buffer.from(log);
        damaged[at]! ^= mask;
        const decoded = decodeFrames(damaged);
        expect(decoded.payloads.map(String)).toEqual(payloads.slice(0, 2).map(String));
        expect(decoded.goodLength).toBe(lastStart);
        expect(decoded.damage).not.toBeNull();
      }
    }
  });

  it('never reads a zero-filled tail as frames', () => {
    const decoded = decodeFrames(Buffer.concat([log, Buffer.alloc(64)]));
    expect(decoded).toMatchObject({ goodLength: log.length, damage: 'corrupt' });
    expect(decoded.payloads).toHaveLength(3);
  });

  it('refuses empty payloads', () => {
    expect(() => encodeFrame(Buffer.alloc(0))).toThrow(RangeError);
  });
});

describe('outbox log entries', () => {
  it('round-trips a report entry', () => {
    const report = { ...faultDraft(), seq: 7 };
    const frame = encodeEntry({ t: 'r', r: report });
    const [payload] = decodeFrames(frame).payloads;
    expect(parseEntry(payload!)).toEqual({ t: 'r', r: report });
  });

  it('rejects payloads that are not entries', () => {
    expect(parseEntry(Buffer.from('{"t":"r"'))).toBeNull();
    expect(parseEntry(Buffer.from('{"t":"r","r":{"kind":"fault"}}'))).toBeNull();
    expect(parseEntry(Buffer.from('{"t":"a","seq":0}'))).toBeNull();
    expect(parseEntry(Buffer.from('{"t":"z"}'))).toBeNull();
  });
});
