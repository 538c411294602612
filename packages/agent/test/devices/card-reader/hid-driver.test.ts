import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../../../test/support/fake-clock.js';
import type { Observation } from '../../../src/core/readings.js';
import { awaitTestSwipe } from '../../../src/devices/card-reader/await-test-swipe.js';
import { ENROLMENT_FILE, reenrollCardReader } from '../../../src/devices/card-reader/enrolment.js';
import { HidCardReaderDriver, type HidCardReaderOptions } from '../../../src/devices/card-reader/hid-card-reader-driver.js';
import { HOTPLUG_SETTLE_MS } from '../../../src/drivers/transports/usb/hotplug-follower.js';
import type { UsbHotplugEvent } from '../../../src/drivers/transports/usb/bus.js';
import { STATS_FILE } from '../../../src/devices/card-reader/reader-stats.js';
import type { CardReaderWear } from '../../../src/devices/card-reader/wear.js';
import { LIFETIME_FILE, LifetimeCounters } from '../../../src/maintenance/lifetime-counters.js';
import { HidUnavailableError, type HidBackend } from '../../../src/drivers/transports/hid.js';
import { createRuleEngine } from '../../../src/rules/rule-files.js';
import { HidCardReaderEmulator, reports, SIM_READER_INFO } from '../../../src/devices/card-reader/emulator/hid-card-reader.js';
import { recordingLogger } from '../../../../../test/support/recording-logger.js';
import { FAULT_CATALOG } from '../../../src/devices/catalog.js';

const CONFIG = { transport: 'hid' as const, vendorId: SIM_READER_INFO.vendorId, productId: SIM_READER_INFO.productId };
const HOUR = 3_600_000;

let stateDir: string;
let clock: FakeClock;
const drivers: HidCardReaderDriver[] = [];

beforeEach(() => {
  stateDir = mkdtempSync(join(tmpdir(), 'posdiag-cardreader-'));
  clock = new FakeClock();
});
afterEach(async () => {
  await Promise.all(drivers.splice(0).map((d) => d.close()));
  rmSync(stateDir, { recursive: true, force: true });
});

function start(backend: HidBackend, options: HidCardReaderOptions = {}, log = recordingLogger()) {
  const driver = new HidCardReaderDriver(CONFIG, stateDir, { clock, log }, { loadBackend: async () => backend, hotplug: null, ...options });
  drivers.push(driver);
  const emitted: Observation[] = [];
  driver.watch((o) => emitted.push(o));
  return { driver, emitted, log, poll: () => driver.poll(new AbortController().signal) };
}

describe('HID card reader driver', () => {
  it('reports presence from enumeration, each swipe as an event, and counters since start', async () => {
    const reader = new HidCardReaderEmulator();
    const { emitted, poll } = start(reader);
    expect((await poll()).readings).toMatchObject({ 'card_reader.connected': true, 'card_reader.swipes': 0, 'card_reader.read_errors': 0 });

    reader.swipe(reports.good('visa'));
    reader.swipe(reports.failed());
    reader.swipe(reports.blank());
    expect(emitted.map((o) => o.readings['card_reader.last_swipe'])).toEqual(['good', 'lrc_or_parity_error', 'blank_card']);
    expect(emitted.at(-1)!.readings).toMatchObject({
      'card_reader.connected': true,
      'card_reader.swipes': 3,
      'card_reader.read_errors': 2,
      'card_reader.window_swipes': 3,
      'card_reader.window_failures': 2,
    });
    // Identity of the reader rides along (status fields and USB ids only).
    expect(emitted[0]!.identity).toEqual({ kind: 'cardReader', vendor: 'Mag-Tek', model: 'USB Swipe Reader', serial: 'SIMMAG0001', firmware: '1.02', address: 'usb:0801:0002' });
  });

  it('sees the reader go (device error) and come back (next enumeration)', async () => {
    const reader = new HidCardReaderEmulator();
    const { emitted, poll } = start(reader);
    await poll();
    reader.unplug();
    await clock.advance(0);
    expect(emitted.at(-1)!.readings['card_reader.connected']).toBe(false);
    expect((await poll()).readings['card_reader.connected']).toBe(false);
    reader.swipe(reports.good('visa')); // nobody listening: the reader is not there
    reader.plug();
    expect((await poll()).readings).toMatchObject({ 'card_reader.connected': true, 'card_reader.swipes': 0 });
    reader.swipe(reports.good('mastercard'));
    expect(emitted.at(-1)!.readings['card_reader.swipes']).toBe(1);
  });

  it('on a USB attach of its VID:PID, looks at once (and once more a moment later if udev is slow), with no poll', async () => {
    const reader = new HidCardReaderEmulator();
    const listeners: ((e: UsbHotplugEvent) => void)[] = [];
    let unsubscribed = 0;
    const hotplug = (listener: (e: UsbHotplugEvent) => void) => (listeners.push(listener), () => void unsubscribed++);
    reader.unplug();
    const { driver, emitted, poll } = start(reader, { hotplug });
    expect((await poll()).readings['card_reader.connected']).toBe(false);
    const plug = (type: 'attach' | 'detach', ids = SIM_READER_INFO) => listeners.forEach((l) => l({ type, vendorId: ids.vendorId, productId: ids.productId }));
    const until = async (connected: boolean) => {
      for (let i = 0; i < 100 && emitted.at(-1)?.readings['card_reader.connected'] !== connected; i++) await clock.advance(0);
      return emitted.at(-1)?.readings['card_reader.connected'];
    };

    // Another device coming and going is none of its business.
    plug('attach', { ...SIM_READER_INFO, productId: 0x9999 });
    await clock.advance(0);
    expect(emitted).toEqual([]);

    // The kernel announced it before its hidraw node is there: the look a moment later finds it.
    plug('attach');
    expect(await until(false)).toBe(false);
    reader.plug();
    await clock.advance(HOTPLUG_SETTLE_MS);
    expect(await until(true)).toBe(true);
    reader.swipe(reports.good('visa'));
    expect(emitted.at(-1)!.readings['card_reader.swipes']).toBe(1);

    // Unplugged: the open device fails, and the detach makes it look again at once.
    reader.unplug();
    const before = emitted.length;
    plug('detach');
    for (let i = 0; i < 100 && emitted.length < before + 2; i++) await clock.advance(0);
    expect(emitted.length).toBe(before + 2); // the device's error, then the detach's look
    expect(emitted.at(-1)!.readings['card_reader.connected']).toBe(false);

    await driver.close();
    expect(unsubscribed).toBe(1);
  });

  it('turns a backend that will not load (no libusb) into connected=false and one reading problem, and retries', async () => {
    let attempts = 0;
    const reader = new HidCardReaderEmulator();
    const loadBackend = async () => {
      attempts++;
      if (attempts <= 2) throw new HidUnavailableError('USB HID support unavailable: cannot load the "node-hid" module (libusb-1.0.so.0: cannot open shared object file)');
      return reader;
    };
    const driver = new HidCardReaderDriver(CONFIG, stateDir, { clock, log: recordingLogger() }, { loadBackend });
    drivers.push(driver);
    const signal = new AbortController().signal;
    const first = await driver.poll(signal);
    expect(first.readings['card_reader.connected']).toBe(false);
    expect(first.problems).toEqual([{ reading: 'card_reader.connected', message: expect.stringMatching(/libusb/) }]);
    const second = await driver.poll(signal);
    expect(second.readings['card_reader.connected']).toBe(false);
    expect(second.problems).toBeUndefined(); // the same problem is not repeated every poll
    expect((await driver.poll(signal)).readings['card_reader.connected']).toBe(true);
    expect(attempts).toBe(3);
  });

  it('reports a report of the wrong size as a problem, not a swipe', async () => {
    const reader = new HidCardReaderEmulator();
    const { emitted, poll } = start(reader);
    await poll();
    reader.swipe(Buffer.alloc(64));
    expect(emitted.at(-1)).toMatchObject({ readings: { 'card_reader.swipes': 0 }, problems: [{ message: expect.stringMatching(/length 64/) }] });
  });
});

describe('sliding window and card_reader.read_errors_high over time', () => {
  it('raises after a run of failures, clears after good swipes, and forgets swipes older than the window age', async () => {
    const engine = await createRuleEngine({ files: [], thresholds: {} }, FAULT_CATALOG);
    const reader = new HidCardReaderEmulator();
    const { emitted, poll, driver } = start(reader, { window: { size: 10, maxAgeMs: 24 * HOUR } });
    const faults: string[] = [];
    const evaluate = (o: Observation) => {
      for (const e of engine.evaluate({ ...o.readings, ...o.evidence }, clock.now())) faults.push(`${e.code} ${e.state}`);
    };
    driver.watch((o) => (emitted.push(o), evaluate(o)));
    evaluate(await poll());
    const swipe = async (report: Buffer) => {
      reader.swipe(report);
      await clock.advance(60_000);
    };

    for (let i = 0; i < 3; i++) await swipe(reports.good('visa'));
    for (let i = 0; i < 3; i++) await swipe(reports.failed());
    expect(faults).toEqual([]);
    await swipe(reports.partial('mastercard')); // 4 failures of 7: threshold reached
    expect(faults).toEqual(['card_reader.read_errors_high raised']);
    expect(emitted.at(-1)!.readings).toMatchObject({ 'card_reader.window_swipes': 7, 'card_reader.window_failures': 4 });

    // The window holds 10: good swipes push the failures out only once it is full (eight to get to 2).
    for (let i = 0; i < 7; i++) await swipe(reports.good('visa'));
    expect(emitted.at(-1)!.readings).toMatchObject({ 'card_reader.window_swipes': 10, 'card_reader.window_failures': 3 });
    expect(faults).toEqual(['card_reader.read_errors_high raised']);
    await swipe(reports.good('visa'));
    expect(emitted.at(-1)!.readings).toMatchObject({ 'card_reader.window_swipes': 10, 'card_reader.window_failures': 2 });
    expect(faults).toEqual(['card_reader.read_errors_high raised', 'card_reader.read_errors_high cleared']);

    // A new bad run, then a quiet day: swipes older than 24 h leave the window and the fault clears.
    for (let i = 0; i < 4; i++) await swipe(reports.noStartSentinel('visa'));
    expect(faults.at(-1)).toBe('card_reader.read_errors_high raised');
    await clock.advance(23 * HOUR);
    evaluate(await poll());
    expect(faults.at(-1)).toBe('card_reader.read_errors_high raised');
    await clock.advance(2 * HOUR);
    const quiet = await poll();
    evaluate(quiet);
    expect(quiet.readings).toMatchObject({ 'card_reader.window_swipes': 0, 'card_reader.window_failures': 0, 'card_reader.swipes': 19 });
    expect(faults.at(-1)).toBe('card_reader.read_errors_high cleared');
  });
});

describe('persistence and enrolment across restarts', () => {
  /** The lifetime counters fed by the driver's device events, as the pipeline feeds them. */
  async function countingWear(driver: HidCardReaderDriver): Promise<LifetimeCounters> {
    const counters = await LifetimeCounters.open(stateDir);
    driver.deviceEvents((event) => counters.count(event));
    return counters;
  }

  it('keeps UnifiedPOS-style statistics (good, failed, per-track errors, hours connected) in the state dir', async () => {
    const reader = new HidCardReaderEmulator();
    const first = start(reader);
    const counters = await countingWear(first.driver);
    await first.poll();
    reader.swipe(reports.good('visa'));
    reader.swipe(reports.partial('visa'));
    reader.swipe(reports.failed());
    await clock.advance(2 * HOUR);
    await first.poll();
    await first.driver.close();
    await counters.save();

    // Good and failed reads and per-track errors are the lifetime counters' (the one count of a swipe);
    // the reader's own file keeps the hours connected.
    const onDisk = JSON.parse(readFileSync(join(stateDir, STATS_FILE), 'utf8'));
    const lifetime = counters.snapshot() as CardReaderWear;
    expect(lifetime.cardReads).toMatchObject({ good: 1, failed: 2 });
    expect([lifetime.cardReader['1'].failures, lifetime.cardReader['2'].failures, lifetime.cardReader['3'].failures]).toEqual([1, 2, 0]);
    expect(onDisk).not.toHaveProperty('goodReadCount');
    expect(onDisk.hoursConnected).toBeCloseTo(2, 5);
    expect(JSON.stringify(onDisk)).not.toMatch(/4111/);
    expect(readFileSync(join(stateDir, LIFETIME_FILE), 'utf8')).not.toMatch(/4111/);

    // A restart: counters since start begin at zero, lifetime statistics carry on.
    const second = start(reader);
    const reopened = await countingWear(second.driver);
    const after = await second.poll();
    expect({ ...after.readings, ...reopened.readings() }).toMatchObject({ 'card_reader.swipes': 0, 'card_reader.good_reads_total': 1, 'card_reader.failed_reads_total': 2, 'card_reader.hours_connected': 2 });
    reader.swipe(reports.good('mastercard'));
    expect(reopened.readings()['card_reader.good_reads_total']).toBe(2);
  });

  it('starts from zero, with a warning, when the statistics file is corrupt', async () => {
    writeFileSync(join(stateDir, STATS_FILE), '{"version": 1, "goodRead');
    const { poll, log } = start(new HidCardReaderEmulator());
    expect((await poll()).readings['card_reader.hours_connected']).toBe(0);
    expect((await LifetimeCounters.open(stateDir)).readings()['card_reader.good_reads_total']).toBe(0);
    expect(log.entries.some((e) => e.level === 'warn' && /statistics unreadable/.test(e.msg ?? ''))).toBe(true);
  });

  it('enrols the first reader; a different one raises identity_changed until re-enrolled, even across restarts', async () => {
    const engine = await createRuleEngine({ files: [], thresholds: {} }, FAULT_CATALOG);
    const firing = (o: Observation) => engine.active({ ...o.readings, ...o.evidence }).map((f) => f.code);
    const reader = new HidCardReaderEmulator();

    const a = start(reader);
    const enrolled = await a.poll();
    expect(enrolled.readings['card_reader.identity_matches']).toBe(true);
    expect(JSON.parse(readFileSync(join(stateDir, ENROLMENT_FILE), 'utf8')).reader).toMatchObject({ vendorId: 0x0801, productId: 0x0002, serial: 'SIMMAG0001', firmware: '1.02' });
    await a.driver.close();

    // Restart with a swapped reader: same VID:PID, another serial.
    reader.plug({ ...SIM_READER_INFO, serialNumber: 'EVIL0001' });
    const b = start(reader);
    const swapped = await b.poll();
    expect(swapped.readings['card_reader.identity_matches']).toBe(false);
    expect(swapped.evidence).toEqual({
      'card_reader.reader': 'usb:0801:0002 serial=EVIL0001 firmware=1.02',
      'card_reader.enrolled_reader': 'usb:0801:0002 serial=SIMMAG0001 firmware=1.02',
      'card_reader.stranger_reader': 'usb:0801:0002 serial=EVIL0001 firmware=1.02',
    });
    expect(firing(swapped)).toContain('card_reader.identity_changed');
    expect(b.log.entries.filter((e) => e.level === 'error' && /not the enrolled/.test(e.msg ?? ''))).toHaveLength(1);
    await b.driver.close();

    // The original is put back and the agent restarted: still flagged (the swap happened).
    reader.plug(SIM_READER_INFO);
    const c = start(reader);
    const back = await c.poll();
    expect(back.readings['card_reader.identity_matches']).toBe(false);
    expect(firing(back)).toContain('card_reader.identity_changed');

    // The technician re-enrols (another process): the running driver enrols what it sees next.
    expect(reenrollCardReader(stateDir).previous).toMatchObject({ serial: 'SIMMAG0001' });
    const cleared = await c.poll();
    expect(cleared.readings['card_reader.identity_matches']).toBe(true);
    expect(firing(cleared)).not.toContain('card_reader.identity_changed');
  });

  it('treats an unreadable enrolment file as a mismatch, never as a fresh enrolment', async () => {
    writeFileSync(join(stateDir, ENROLMENT_FILE), 'not json');
    const { poll } = start(new HidCardReaderEmulator());
    const o = await poll();
    expect(o.readings['card_reader.identity_matches']).toBe(false);
    expect(o.problems).toEqual([{ reading: 'card_reader.identity_matches', message: expect.stringMatching(/unreadable enrolment/) }]);
    expect(readFileSync(join(stateDir, ENROLMENT_FILE), 'utf8')).toBe('not json');
  });
});

describe('interactive check: awaitTestSwipe', () => {
  it('resolves with the per-track result of the next swipe', async () => {
    const reader = new HidCardReaderEmulator();
    const { driver, poll } = start(reader);
    await poll();
    const result = awaitTestSwipe(driver, 30_000, undefined, clock);
    await clock.advance(5_000);
    reader.swipe(reports.partial('visa'));
    expect(await result).toEqual({
      swiped: true,
      outcome: 'partial',
      tracks: [
        { status: 'ok', length: 61 },
        { status: 'decode_error', length: 0 },
        { status: 'empty', length: 0 },
      ],
      encodeType: 'iso',
    });
  });

  it('times out on the clock when nobody swipes, and rejects when aborted', async () => {
    const { driver, poll } = start(new HidCardReaderEmulator());
    await poll();
    const result = awaitTestSwipe(driver, 30_000, undefined, clock);
    await clock.advance(30_000);
    expect(await result).toEqual({ swiped: false, reason: 'timeout' });

    const controller = new AbortController();
    const aborted = awaitTestSwipe(driver, 30_000, controller.signal, clock);
    controller.abort(new Error('self-test cancelled'));
    await expect(aborted).rejects.toThrow('self-test cancelled');
    expect(clock.pendingTimers).toBe(0);
  });
});
