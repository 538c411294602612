import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../../test/support/fake-clock.js';
import { decodeInputEvent, encodeInputEvent, EV_KEY, InputEventReader, KEY_CODES, type InputEvent } from '../../src/control/keypad/input-event.js';
import { KeySequenceMatcher } from '../../src/control/keypad/key-sequence.js';
import { startKeypadTrigger } from '../../src/control/keypad/keypad-trigger.js';
import { silentLogger } from '../../src/log/logger.js';

const dir = mkdtempSync(join(tmpdir(), 'posdiag-keypad-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const EV_SYN = 0;
/** What a real keypad sends per key: press, SYN_REPORT, release, SYN_REPORT. */
function keystroke(code: number, timeMs: number): InputEvent[] {
  return [
    { timeMs, type: EV_KEY, code, value: 1 },
    { timeMs, type: EV_SYN, code: 0, value: 0 },
    { timeMs: timeMs + 80, type: EV_KEY, code, value: 0 },
    { timeMs: timeMs + 80, type: EV_SYN, code: 0, value: 0 },
  ];
}

describe('input_event codec', () => {
  it('decodes the 24-byte little-endian struct byte by byte', () => {
    const bytes = Buffer.from('e8030000000000002a0300000000000001001c0001000000', 'hex');
    // tv_sec 1000, tv_usec 810 (0x32a), EV_KEY, KEY_ENTER (28), press.
    expect(decodeInputEvent(bytes)).toEqual({ timeMs: 1_000_000, type: 1, code: 28, value: 1 });
    expect(encodeInputEvent({ timeMs: 1_000_250, type: 1, code: 28, value: 0 }).toString('hex')).toBe('e803000000000000' + '90d0030000000000' + '01001c0000000000');
  });

  it('reassembles events split across reads', () => {
    const stream = Buffer.concat(keystroke(KEY_CODES.KEY_ENTER!, 5000).map(encodeInputEvent));
    const reader = new InputEventReader();
    const events = [...reader.push(stream.subarray(0, 30)), ...reader.push(stream.subarray(30, 31)), ...reader.push(stream.subarray(31))];
    expect(events.map((e) => [e.type, e.code, e.value])).toEqual([
      [1, 28, 1],
      [0, 0, 0],
      [1, 28, 0],
      [0, 0, 0],
    ]);
  });
});

describe('key sequence', () => {
  const seq = [KEY_CODES.KEY_F1!, KEY_CODES.KEY_F1!, KEY_CODES.KEY_ENTER!];
  const feed = (m: KeySequenceMatcher, keys: [number, number][]) => keys.flatMap(([code, t]) => keystroke(code, t)).map((e) => m.push(e));

  it('fires on the sequence typed in time, once', () => {
    const hits = feed(new KeySequenceMatcher(seq, 3000), [
      [59, 0],
      [59, 500],
      [28, 1000],
    ]);
    expect(hits.filter(Boolean)).toHaveLength(1);
  });

  it('does not fire when typed too slowly or with a wrong key in between; restarts on a wrong key', () => {
    expect(feed(new KeySequenceMatcher(seq, 3000), [[59, 0], [59, 1000], [28, 4000]]).some(Boolean)).toBe(false);
    expect(feed(new KeySequenceMatcher(seq, 3000), [[59, 0], [2, 100], [59, 200], [28, 300]]).some(Boolean)).toBe(false);
    expect(feed(new KeySequenceMatcher(seq, 3000), [[59, 0], [28, 100], [59, 200], [59, 300], [28, 400]]).filter(Boolean)).toHaveLength(1);
  });
});

describe('keypad trigger', () => {
  it('starts a self-test from a recorded event stream', async () => {
    const file = join(dir, 'event-recording.bin');
    const events = [
      ...keystroke(KEY_CODES.KEY_5!, 100),
      ...keystroke(KEY_CODES.KEY_F1!, 1000),
      ...keystroke(KEY_CODES.KEY_F1!, 1400),
      ...keystroke(KEY_CODES.KEY_ENTER!, 1800),
    ];
    writeFileSync(file, Buffer.concat(events.map(encodeInputEvent)));
    let triggers = 0;
    let resolve!: () => void;
    const triggered = new Promise<void>((r) => (resolve = r));
    const stop = startKeypadTrigger({
      device: file,
      sequence: ['KEY_F1', 'KEY_F1', 'KEY_ENTER'],
      withinMs: 3000,
      clock: new FakeClock(),
      log: silentLogger,
      onTrigger: () => (triggers++, resolve()),
    });
    await triggered;
    stop();
    expect(triggers).toBe(1);
  });

  it('refuses an unknown key name as a configuration error', () => {
    expect(() =>
      startKeypadTrigger({ device: '/nonexistent', sequence: ['KEY_BANANA'], withinMs: 1000, clock: new FakeClock(), log: silentLogger, onTrigger: () => {} }),
    ).toThrow(/control\.keypad\.sequence: unknown key "KEY_BANANA"/);
  });
});
