import { describe, expect, it } from 'vitest';
import { LineNoise } from '../../../src/drivers/transports/line-noise.js';
import { recordingLogger } from '../../../../../test/support/recording-logger.js';

/** The per-poll-window noise count every serial codec reports, and its once-per-episode log lines. */

describe('LineNoise', () => {
  it('counts bytes per poll window and tells the log once per episode, not once per byte', () => {
    const log = recordingLogger();
    const noise = new LineNoise('printer.line_errors', 'ESC/POS replies', log);
    expect(noise.closeWindow()).toEqual({ 'printer.line_errors': 0 });
    const mark = noise.mark();
    noise.count(3);
    noise.count(0);
    noise.count(5);
    expect(noise.since(mark)).toBe(8);
    expect(noise.current()).toEqual({ 'printer.line_errors': 8 });
    expect(noise.closeWindow()).toEqual({ 'printer.line_errors': 8 });
    noise.count(2); // the same episode: a window with noise did not end it
    expect(noise.closeWindow()).toEqual({ 'printer.line_errors': 2 });
    expect(noise.closeWindow()).toEqual({ 'printer.line_errors': 0 }); // a clean window ends it
    noise.count(1); // a new episode
    expect(log.entries.map((e) => `${e.level} ${e.msg}`)).toEqual([
      'warn line noise: discarding bytes that are not ESC/POS replies',
      'info line clean again after 10 bytes of noise',
      'warn line noise: discarding bytes that are not ESC/POS replies',
    ]);
    expect(log.entries[0]!.fields).toEqual({ reading: 'printer.line_errors', bytes: 3 });
  });
});
