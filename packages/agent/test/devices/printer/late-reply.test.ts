import { describe, expect, it } from 'vitest';
import { StatusConfirmer } from '../../../src/devices/printer/confirmed-status.js';
import type { EscPosLink } from '../../../src/devices/printer/escpos-link.js';
import { readStatus } from '../../../src/devices/printer/escpos-session.js';
import { statusObservation } from '../../../src/devices/printer/printer-readings.js';
import { SerialTransportError } from '../../../src/drivers/transports/serial.js';
import { LineNoise } from '../../../src/drivers/transports/line-noise.js';
import { silentLogger } from '../../../src/log/logger.js';

/**
 * A reply that comes after its request timed out (a loaded host) is taken by the next request, and
 * the line stays one reply behind for as long as requests follow each other back to back: every round
 * then reads the same wrong bytes (the printer's own, shifted by one), so "read twice" alone would
 * believe them. Seen under load as a printer.unrecoverable_error raised and cleared at the hub
 * (status "72 1a 32 12" for a paper-end printer's "1a 32 12 72"). Byte-exact, no timing: the link
 * below is a printer whose every reply lands on the request after the one it answers.
 */

/** DLE EOT 1..4 of a printer at paper end. */
const PAPER_END: Record<number, number> = { 1: 0x1a, 2: 0x32, 3: 0x12, 4: 0x72 };

function laggingLink(): EscPosLink {
  let late: number | undefined;
  return {
    async request(bytes, expect) {
      const due = late;
      late = PAPER_END[bytes[2]!];
      if (due === undefined) throw new SerialTransportError('no reply within 200 ms', { timeout: true });
      const reply = expect({ type: 'status', byte: due });
      if (reply === undefined) throw new Error('the status byte was not taken');
      return reply;
    },
    write: async () => undefined,
    expectBlocks: () => undefined,
  };
}

describe('a reply that comes late', () => {
  it('is never believed for the question after it, however often the shifted round repeats', async () => {
    const link = laggingLink();
    const noise = new LineNoise('printer.line_errors', 'ESC/POS replies', silentLogger);
    const status = new StatusConfirmer((signal, order) => readStatus(link, 200, signal, silentLogger, order), noise);
    const truth = statusObservation({ printer: 0x1a, offlineCause: 0x32, errorCause: 0x12, paper: 0x72 }).readings;
    const signal = new AbortController().signal;
    for (let i = 0; i < 6; i++) {
      const { observation, confirmed } = await status.read(signal);
      if (confirmed && observation.readings['printer.connected'] === true) expect(observation.readings, `read ${i}`).toEqual(truth);
    }
  });

  it('a printer in step is still believed at once: the same bytes in either order', async () => {
    let asked = 0;
    const link: EscPosLink = { ...laggingLink(), request: async (bytes, expect) => (asked++, expect({ type: 'status', byte: PAPER_END[bytes[2]!]! })!) };
    const noise = new LineNoise('printer.line_errors', 'ESC/POS replies', silentLogger);
    const status = new StatusConfirmer((signal, order) => readStatus(link, 200, signal, silentLogger, order), noise);
    const read = await status.read(new AbortController().signal);
    expect(read.confirmed).toBe(true);
    expect(read.observation.evidence).toEqual({ 'printer.status_hex': '1a 32 12 72' });
    expect(asked).toBe(8);
  });
});
