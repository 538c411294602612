import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from 'posdiag-protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordingLogger } from '../../../../../test/support/recording-logger.js';
import { waitFor } from '../../../../../test/support/wait-for.js';
import type { Observation } from '../../../src/core/readings.js';
import { cardReader } from '../../../src/devices/card-reader/index.js';
import { reports, SIM_READER_INFO, TEST_CARDS } from '../../../src/devices/card-reader/emulator/hid-card-reader.js';
import { HidrawCardReaderEmulator } from '../../../src/devices/card-reader/emulator/hidraw-card-reader.js';
import type { Driver } from '../../../src/drivers/contract.js';

// Real files on real time: an emulated sysfs tree and a FIFO as /dev/hidrawN (waitFor only bounds a hang).
let dir: string;
let paths: { sysfs: string; dev: string; state: string };
const cleanups: (() => unknown)[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'posdiag-hidraw-'));
  paths = { sysfs: join(dir, 'sys'), dev: join(dir, 'dev'), state: join(dir, 'state') };
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  rmSync(dir, { recursive: true, force: true });
});

function start(options: { reportId?: number } = {}) {
  const reader = new HidrawCardReaderEmulator({ sysfs: paths.sysfs, dev: paths.dev, ...options });
  cleanups.push(() => reader.close());
  const log = recordingLogger();
  const config = cardReader.config.parse({ transport: 'hidraw', vendorId: SIM_READER_INFO.vendorId, productId: SIM_READER_INFO.productId });
  const driver: Driver = cardReader.createDriver(config, {
    paths: { ...paths, logs: join(dir, 'logs') } as Parameters<typeof cardReader.createDriver>[1]['paths'],
    ctx: { clock: systemClock, log },
    overrides: {},
  });
  cleanups.push(() => driver.close());
  const emitted: Observation[] = [];
  driver.watch!((o) => emitted.push(o));
  const poll = () => driver.poll(new AbortController().signal);
  const latest = (name: string) => emitted.at(-1)?.readings[name];
  const until = (name: string, value: unknown) => waitFor(() => (latest(name) === value ? true : undefined), `${name} = ${String(value)}`);
  return { reader, driver, emitted, poll, log, until };
}

describe('hidraw card reader (sysfs tree + FIFO)', () => {
  it('finds the reader by HID_ID, names it as node-hid would, and classifies each swipe as the HID transport does', async () => {
    const { reader, poll, emitted, until, log } = start();
    expect((await poll()).readings['card_reader.connected']).toBe(false);
    reader.plug();
    const first = await poll();
    expect(first.readings).toMatchObject({ 'card_reader.connected': true, 'card_reader.swipes': 0 });
    expect(first.identity).toEqual({ kind: 'cardReader', vendor: 'Mag-Tek', model: 'USB Swipe Reader', serial: 'SIMMAG0001', firmware: '1.02', address: 'usb:0801:0002' });

    reader.swipe(reports.good('visa'));
    await until('card_reader.swipes', 1);
    reader.swipe(reports.failed(), { split: true }); // two writes: one read or two, framed by the descriptor's length either way
    await until('card_reader.swipes', 2);
    reader.swipe(reports.blank());
    await until('card_reader.swipes', 3);
    expect(emitted.map((o) => o.readings['card_reader.last_swipe']).filter(Boolean)).toEqual(['good', 'lrc_or_parity_error', 'blank_card']);
    expect(emitted.at(-1)!.readings).toMatchObject({ 'card_reader.read_errors': 2, 'card_reader.window_swipes': 3, 'card_reader.window_failures': 2 });
    // No card data anywhere it could go.
    const everything = JSON.stringify([emitted, log.entries]);
    for (const pan of Object.values(TEST_CARDS)) expect(everything).not.toContain(pan);
  });

  it('numbered reports: the Report ID byte the descriptor announces is cut off before the classifier', async () => {
    const { reader, poll, until, emitted } = start({ reportId: 2 });
    reader.plug();
    await poll();
    reader.swipe(reports.good('mastercard'), { split: true });
    await until('card_reader.swipes', 1);
    expect(emitted.at(-1)!.readings['card_reader.last_swipe']).toBe('good');
  });

  it('bytes that are no report are a reading problem of the reader, not a crash; the next swipe reads', async () => {
    const { reader, poll, until, emitted } = start({ reportId: 2 });
    reader.plug();
    await poll();
    reader.writeRaw(Buffer.from([7, 1, 2, 3])); // report id 7 is not in the descriptor
    await waitFor(() => (emitted.some((o) => o.problems?.some((p) => /unexpected HID report length/.test(p.message))) ? true : undefined), 'the garbage problem');
    reader.swipe(reports.good('visa'));
    await until('card_reader.swipes', 1);
  });

  it('follows the node going (seen by the open node itself, no poll) and coming back as another hidrawN', async () => {
    const { reader, poll, until } = start();
    reader.plug('hidraw0');
    expect((await poll()).readings['card_reader.connected']).toBe(true);
    reader.unplug();
    await until('card_reader.connected', false);
    expect((await poll()).readings['card_reader.connected']).toBe(false);
    reader.plug('hidraw3');
    expect((await poll()).readings['card_reader.connected']).toBe(true);
    reader.swipe(reports.good('visa'));
    await until('card_reader.swipes', 1);
  });
});
