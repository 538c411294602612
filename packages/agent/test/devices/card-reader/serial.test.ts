import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from 'posdiag-protocol';
import type { Observation } from '../../../src/core/readings.js';
import { SerialCardReaderDriver } from '../../../src/devices/card-reader/serial-card-reader-driver.js';
import { track1, track2 } from '../../../src/devices/card-reader/emulator/hid-card-reader.js';
import { createPtyPair, type PtyPair } from '../../helpers/pty.js';
import { recordingLogger } from '../../../../../test/support/recording-logger.js';

/**
 * A serial magstripe reader over real ttys (socat pty pair, real serialport bindings): the test writes
 * what a reader sends on end B, the driver reads end A. Waits are for events, never sleeps.
 */

let dir: string;
let pty: PtyPair | undefined;
let device: SerialPort | undefined;
let driver: SerialCardReaderDriver | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'posdiag-serial-reader-'));
});
afterEach(async () => {
  await driver?.close();
  if (device?.isOpen) await new Promise<void>((resolve) => device!.close(() => resolve()));
  await pty?.kill();
  driver = device = pty = undefined;
  rmSync(dir, { recursive: true, force: true });
});

describe('serial card reader driver (pty)', () => {
  it('reports the port as presence and each swipe frame as an event with status fields only', async () => {
    pty = await createPtyPair(join(dir, 'host'), join(dir, 'reader'));
    device = new SerialPort({ path: pty.b, baudRate: 9600, autoOpen: false });
    await new Promise<void>((resolve, reject) => device!.open((err) => (err ? reject(err) : resolve())));
    device.on('error', () => {});

    const log = recordingLogger();
    driver = new SerialCardReaderDriver({ transport: 'serial', path: pty.a, baudRate: 9600 }, join(dir, 'state'), { clock: systemClock, log });
    const emitted: Observation[] = [];
    let notify: () => void = () => {};
    driver.watch((o) => {
      emitted.push(o);
      notify();
    });
    const next = (count: number) => new Promise<void>((resolve) => (notify = () => emitted.length >= count && resolve()));

    expect((await driver.poll(new AbortController().signal)).readings['card_reader.connected']).toBe(true);

    const swiped = next(2);
    device.write(`${track1('4111111111111111')}${track2('4111111111111111')}\r\n`);
    const body = Buffer.from('%E?;E?', 'latin1');
    const lrc = [...body, 0x03].reduce((a, b) => a ^ b, 0);
    device.write(Buffer.from([0x02, ...body, 0x03, lrc]));
    await swiped;
    expect(emitted.map((o) => o.readings['card_reader.last_swipe'])).toEqual(['good', 'lrc_or_parity_error']);
    expect(emitted[1]!.readings).toMatchObject({ 'card_reader.swipes': 2, 'card_reader.read_errors': 1, 'card_reader.connected': true });
    // Serial readers do not identify themselves: no enrolment reading, rather than a false "matches".
    expect(emitted[1]!.readings['card_reader.identity_matches']).toBeUndefined();
    expect(JSON.stringify([emitted, log.entries])).not.toMatch(/4111|\^TEST/);

    // Unplugged: the pty goes away and the driver reports it at once.
    const gone = new Promise<void>((resolve) => (notify = () => emitted.at(-1)!.readings['card_reader.connected'] === false && resolve()));
    await new Promise<void>((resolve) => device!.close(() => resolve()));
    await pty.kill();
    await gone;
  });

  it('reports a port that does not exist as connected=false with a reading problem', async () => {
    driver = new SerialCardReaderDriver({ transport: 'serial', path: join(dir, 'missing'), baudRate: 9600 }, join(dir, 'state'), {
      clock: systemClock,
      log: recordingLogger(),
    });
    const o = await driver.poll(new AbortController().signal);
    expect(o.readings['card_reader.connected']).toBe(false);
    expect(o.problems).toEqual([{ reading: 'card_reader.connected', message: expect.stringMatching(/open failed/) }]);
  });
});
