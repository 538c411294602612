import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { systemClock } from 'posdiag-protocol';
import { FakeClock } from '../../../../../test/support/fake-clock.js';
import { ENROLMENT_FILE, reenrollCardReader } from '../../../src/devices/card-reader/enrolment.js';
import { atrProtocols } from '../../../src/devices/card-reader/pcsc-atr.js';
import { PcscCardReaderDriver } from '../../../src/devices/card-reader/pcsc-driver.js';
import { readerMatcher } from '../../../src/devices/card-reader/pcsc-readings.js';
import { createDrivers } from '../../../src/devices/registry.js';
import { SmartcardPcscStack, type PcscSnapshot, type PcscStack } from '../../../src/drivers/transports/pcsc.js';
import { parseConfig } from '../../../src/config/load.js';
import { silentLogger } from '../../../src/log/logger.js';
import { recordingLogger } from '../../../../../test/support/recording-logger.js';
import { waitFor } from '../../../../../test/support/wait-for.js';

const ctx = { clock: systemClock, log: silentLogger };
const bytes = (hex: string) => Uint8Array.from(hex.split(' ').map((h) => parseInt(h, 16)));
const stackOf = (snapshot: PcscSnapshot): PcscStack => ({ snapshot: async () => snapshot });
const freshState = () => mkdtempSync(join(tmpdir(), 'posdiag-pcsc-state-'));
/** One poll by a driver on a fresh state directory (so the reader it finds is the first one, enrolled). */
const pollWith = (snapshot: PcscSnapshot, reader = 'ACS ACR39U') =>
  new PcscCardReaderDriver({ transport: 'pcsc', reader }, freshState(), ctx, { stack: stackOf(snapshot) }).poll(new AbortController().signal);

describe('ATR protocols (ISO 7816-3)', () => {
  it('reads the offered protocols from TD1, TD2…, checking length and TCK', () => {
    // vicc iso7816: TD1=81 (T=1, TD2 follows), TD2=01 (T=1), 5 historical bytes, TCK 0B.
    expect(atrProtocols(bytes('3B 95 13 81 01 80 73 FF 01 00 0B'))).toEqual({ ok: true, protocols: [1] });
    // No TD1: T=0 only, and no TCK.
    expect(atrProtocols(bytes('3B 02 14 50'))).toEqual({ ok: true, protocols: [0] });
    // TB1 TC1 TD1=80 (T=0), TD2=31 (T=1, TA3 TB3 follow), 9 historical bytes, TCK (placeholder, fixed below).
    expect(atrProtocols(fixTck(bytes('3B E9 00 00 80 31 FE 45 43 44 31 69 A9 00 00 00 00 00')))).toEqual({ ok: true, protocols: [0, 1] });
    // PC/SC part 3 contactless ATR: TD1=80 (T=0), TD2=01 (T=1), 15 historical bytes, TCK.
    expect(atrProtocols(fixTck(bytes('3B 8F 80 01 80 4F 0C A0 00 00 03 06 03 00 01 00 00 00 00 00')))).toEqual({ ok: true, protocols: [0, 1] });
    // TD1=80 (T=0), TD2=1F (T=15: global bytes, not a protocol; TA3 follows), 8 historical bytes, TCK.
    expect(atrProtocols(fixTck(bytes('3B 88 80 1F C6 80 31 E0 73 FE 21 1B 00 00')))).toEqual({ ok: true, protocols: [0] });
  });

  it('rejects a malformed ATR with a reason', () => {
    expect(atrProtocols(bytes('3B'))).toMatchObject({ ok: false, message: expect.stringMatching(/too short/) });
    expect(atrProtocols(bytes('12 00'))).toMatchObject({ ok: false, message: expect.stringMatching(/TS/) });
    expect(atrProtocols(bytes('3B 95 13'))).toMatchObject({ ok: false, message: expect.stringMatching(/inside its interface bytes/) });
    expect(atrProtocols(bytes('3B 95 13 81 01 80 73 FF 01 00'))).toMatchObject({ ok: false, message: expect.stringMatching(/10 bytes, .* announce 11/) });
    expect(atrProtocols(bytes('3B 95 13 81 01 80 73 FF 01 00 0C'))).toMatchObject({ ok: false, message: expect.stringMatching(/TCK/) });
  });
});

describe('reader name pattern', () => {
  it('matches case-insensitively anywhere in the name, with * as a wildcard and nothing else special', () => {
    expect(readerMatcher('acr39')('ACS ACR39U ICC Reader 00 00')).toBe(true);
    expect(readerMatcher('ACS*00 00')('ACS ACR39U ICC Reader 00 00')).toBe(true);
    expect(readerMatcher('ACS*00 01')('ACS ACR39U ICC Reader 00 00')).toBe(false);
    expect(readerMatcher('Reader (1)')('Reader (1) 00 00')).toBe(true);
    expect(readerMatcher('Reader.1')('Reader 11')).toBe(false);
  });
});

describe('PC/SC driver over the stack seam', () => {
  const reader = 'ACS ACR39U ICC Reader 00 00';
  // pcsc-lite's index and slot numbers are not part of who the reader is.
  const identity = { kind: 'cardReader', model: 'ACS ACR39U ICC Reader', address: 'pcsc:ACS ACR39U ICC Reader' };

  it('reports the matching reader with no card', async () => {
    expect(await pollWith({ kind: 'readers', readers: [{ name: 'Other 00 00', cardPresent: true, cardMute: false }, { name: reader, cardPresent: false, cardMute: false }] })).toEqual({
      readings: { 'card_reader.connected': true, 'card_reader.card_present': false, 'card_reader.identity_matches': true },
      identity,
      evidence: { 'card_reader.reader': reader },
    });
  });

  it('reports a card: mute flag, ATR length and protocols, never the ATR bytes', async () => {
    const atr = bytes('3B 95 13 81 01 80 73 FF 01 00 0B');
    const observation = await pollWith({ kind: 'readers', readers: [{ name: reader, cardPresent: true, cardMute: false, atr }] });
    expect(observation.readings).toEqual({
      'card_reader.connected': true,
      'card_reader.card_present': true,
      'card_reader.card_mute': false,
      'card_reader.atr_length': 11,
      'card_reader.protocol': 'T=1',
      'card_reader.identity_matches': true,
    });
    expect(JSON.stringify(observation)).not.toMatch(/3b|\[59/i);
  });

  it('reports a mute card (no ATR) and an unparsable ATR as unknown protocol with a problem', async () => {
    expect((await pollWith({ kind: 'readers', readers: [{ name: reader, cardPresent: true, cardMute: true }] })).readings).toEqual({
      'card_reader.connected': true, 'card_reader.card_present': true, 'card_reader.card_mute': true, 'card_reader.identity_matches': true,
    });
    const bad = await pollWith({ kind: 'readers', readers: [{ name: reader, cardPresent: true, cardMute: false, atr: bytes('3B 95 13') }] });
    expect(bad.readings).toMatchObject({ 'card_reader.atr_length': 3, 'card_reader.protocol': 'unknown' });
    expect(bad.problems).toEqual([{ reading: 'card_reader.protocol', message: expect.stringMatching(/interface bytes/) }]);
  });

  it('no matching reader is a disconnected reader, with the names PC/SC does see', async () => {
    expect(await pollWith({ kind: 'readers', readers: [{ name: 'Other 00 00', cardPresent: false, cardMute: false }] })).toEqual({
      readings: { 'card_reader.connected': false },
      evidence: { 'card_reader.pcsc_readers': 'Other 00 00' },
    });
    expect((await pollWith({ kind: 'readers', readers: [] })).evidence).toEqual({ 'card_reader.pcsc_readers': 'none' });
  });

  it('pcscd down is a disconnected reader; a missing library reports nothing but the problem', async () => {
    expect(await pollWith({ kind: 'unavailable', reason: 'service', message: 'PC/SC service (pcscd): PC/SC service not running' })).toEqual({
      readings: { 'card_reader.connected': false },
      problems: [{ reading: 'card_reader.connected', message: 'PC/SC service (pcscd): PC/SC service not running' }],
    });
    expect(await pollWith({ kind: 'unavailable', reason: 'library', message: 'no lib' })).toEqual({
      readings: {},
      problems: [{ reading: 'card_reader.connected', message: 'no lib' }],
    });
  });

  it('an aborted poll rejects without touching PC/SC', async () => {
    let touched = false;
    const driver = new PcscCardReaderDriver({ transport: 'pcsc', reader }, freshState(), ctx, { stack: { snapshot: async () => ((touched = true), { kind: 'readers', readers: [] }) } });
    const controller = new AbortController();
    controller.abort(new Error('shutdown'));
    await expect(driver.poll(controller.signal)).rejects.toThrow('shutdown');
    expect(touched).toBe(false);
  });

  it('enrols the first reader, then flags another until a technician re-enrols, sticky across its removal', async () => {
    const state = freshState();
    const clock = new FakeClock(Date.UTC(2026, 10, 23, 9));
    let snapshot: PcscSnapshot = { kind: 'readers', readers: [{ name: reader, cardPresent: false, cardMute: false }] };
    const driver = new PcscCardReaderDriver({ transport: 'pcsc', reader: '*' }, state, { clock, log: silentLogger }, { stack: { snapshot: async () => snapshot } });
    const poll = () => driver.poll(new AbortController().signal);

    expect((await poll()).readings['card_reader.identity_matches']).toBe(true);
    const enrolled = JSON.parse(readFileSync(join(state, ENROLMENT_FILE), 'utf8'));
    expect(enrolled).toEqual({ version: 1, enrolledAt: '2026-11-23T09:00:00.000Z', reader: { bus: 'pcsc', name: 'ACS ACR39U ICC Reader' } });

    // The same reader at another index (plugged in after another one) is still the same reader.
    snapshot = { kind: 'readers', readers: [{ name: 'ACS ACR39U ICC Reader 01 00', cardPresent: false, cardMute: false }] };
    expect((await poll()).readings['card_reader.identity_matches']).toBe(true);

    // Another reader in its place: a possible skimmer.
    const stranger = 'Generic EMV Smartcard Reader (0123456) 00 00';
    snapshot = { kind: 'readers', readers: [{ name: stranger, cardPresent: false, cardMute: false }] };
    const swapped = await poll();
    expect(swapped.readings['card_reader.identity_matches']).toBe(false);
    expect(swapped.evidence).toMatchObject({
      'card_reader.enrolled_reader': 'pcsc:"ACS ACR39U ICC Reader"',
      'card_reader.stranger_reader': 'pcsc:"Generic EMV Smartcard Reader (0123456)"',
    });

    // Unplugged, or the enrolled one put back: still not trusted.
    snapshot = { kind: 'readers', readers: [] };
    expect((await poll()).readings).toEqual({ 'card_reader.connected': false, 'card_reader.identity_matches': false });
    snapshot = { kind: 'readers', readers: [{ name: reader, cardPresent: false, cardMute: false }] };
    expect((await poll()).readings['card_reader.identity_matches']).toBe(false);

    // `posdiag enroll card-reader`: the reader seen next is enrolled.
    expect(reenrollCardReader(state).previous).toEqual({ bus: 'pcsc', name: 'ACS ACR39U ICC Reader' });
    expect((await poll()).readings['card_reader.identity_matches']).toBe(true);
  });

  it('a USB reader enrolled before is not a PC/SC reader of the same name', async () => {
    const state = freshState();
    const usb = { vendorId: 0x072f, productId: 0xb100, product: 'ACR39U' };
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(state, ENROLMENT_FILE), JSON.stringify({ version: 1, enrolledAt: '2026-01-01T00:00:00.000Z', reader: usb }));
    const driver = new PcscCardReaderDriver({ transport: 'pcsc', reader: '*' }, state, ctx, {
      stack: stackOf({ kind: 'readers', readers: [{ name: reader, cardPresent: false, cardMute: false }] }),
    });
    const observation = await driver.poll(new AbortController().signal);
    expect(observation.readings['card_reader.identity_matches']).toBe(false);
    expect(observation.evidence?.['card_reader.enrolled_reader']).toBe('usb:072f:b100');
  });

  it('when watched, a change is read and emitted at once; a lost watch is taken up again by the next poll; close stops it', async () => {
    const log = recordingLogger();
    let snapshot: PcscSnapshot = { kind: 'readers', readers: [{ name: reader, cardPresent: false, cardMute: false }] };
    const watches: { change: () => void; lost: (m: string) => void; stopped: boolean }[] = [];
    const stack: PcscStack = {
      snapshot: async () => snapshot,
      async watch(change, lost) {
        const w = { change, lost, stopped: false };
        watches.push(w);
        return () => void (w.stopped = true);
      },
    };
    const driver = new PcscCardReaderDriver({ transport: 'pcsc', reader: '*' }, freshState(), { clock: systemClock, log }, { stack });
    const seen: boolean[] = [];
    driver.watch((o) => seen.push(o.readings['card_reader.card_present'] as boolean));
    await waitFor(() => (watches.length === 1 ? true : undefined), 'the watch');

    snapshot = { kind: 'readers', readers: [{ name: reader, cardPresent: true, cardMute: true }] };
    watches[0]!.change();
    await waitFor(() => (seen.length === 1 ? true : undefined), 'the change');
    expect(seen).toEqual([true]);

    watches[0]!.lost('PC/SC monitor stopped: Service not available');
    expect(log.entries.map((e) => e.msg)).toContain('PC/SC changes not watched until pcscd answers a poll again');
    await driver.poll(new AbortController().signal);
    await waitFor(() => (watches.length === 2 ? true : undefined), 'the watch taken up again');
    await driver.poll(new AbortController().signal);
    expect(watches).toHaveLength(2); // one watch at a time

    await driver.close();
    expect(watches[1]!.stopped).toBe(true);
    watches[1]!.change();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(seen).toEqual([true]);
  });

  it('polls alone, saying so once, when changes cannot be watched', async () => {
    const log = recordingLogger();
    let attempts = 0;
    const stack: PcscStack = {
      snapshot: async () => ({ kind: 'readers', readers: [] }),
      watch: async () => (attempts++, null),
    };
    const driver = new PcscCardReaderDriver({ transport: 'pcsc', reader: '*' }, freshState(), { clock: systemClock, log }, { stack });
    driver.watch(() => {});
    for (let i = 0; i < 3; i++) await driver.poll(new AbortController().signal);
    await waitFor(() => (attempts === 4 ? true : undefined), 'a watch attempt per poll');
    expect(log.entries.filter((e) => e.msg === 'PC/SC changes cannot be watched now: polling only')).toHaveLength(1);
    await driver.close();
  });

  it('is what the registry builds for transport "pcsc", without loading the library', () => {
    const config = parseConfig({ terminal: { id: 'T-1' }, devices: { cardReader: { transport: 'pcsc', reader: 'ACR39' } } });
    const drivers = createDrivers(config, ctx);
    expect(drivers.map((d) => [d.kind, d.name, d.intervalMs, d.timeoutMs])).toEqual([['cardReader', 'cardReader', 5000, 3000]]);
    expect(drivers[0]).toBeInstanceOf(PcscCardReaderDriver);
  });
});

describe('smartcard adapter', () => {
  const PRESENT = 0x20;
  const MUTE = 0x200;
  const fakeModule = (listReaders: () => { name: string; state: number; atr: Buffer | null }[], closed: string[]) => ({
    default: {
      SCARD_STATE_PRESENT: PRESENT,
      SCARD_STATE_MUTE: MUTE,
      Context: class {
        listReaders = listReaders;
        close() {
          closed.push('closed');
        }
      },
    },
  });

  it('turns a library that cannot load into a "library" snapshot, not a throw', async () => {
    const stack = new SmartcardPcscStack(() => Promise.reject(new Error('libpcsclite.so.1: cannot open shared object file')));
    expect(await stack.snapshot()).toEqual({
      kind: 'unavailable', reason: 'library', message: expect.stringMatching(/PC\/SC library cannot be loaded.*libpcsclite\.so\.1/),
    });
  });

  it('maps state flags and ATR, and releases the context every time, also when listing fails', async () => {
    const closed: string[] = [];
    const stack = new SmartcardPcscStack(async () =>
      fakeModule(() => [
        { name: 'A', state: 0x10012, atr: null },
        { name: 'B', state: 0x10022, atr: Buffer.from([0x3b, 0x02, 0x14, 0x50]) },
        { name: 'C', state: PRESENT | MUTE, atr: Buffer.alloc(0) },
      ], closed),
    );
    expect(await stack.snapshot()).toEqual({
      kind: 'readers',
      readers: [
        { name: 'A', cardPresent: false, cardMute: false },
        { name: 'B', cardPresent: true, cardMute: false, atr: bytes('3B 02 14 50') },
        { name: 'C', cardPresent: true, cardMute: true },
      ],
    });
    const failing = new SmartcardPcscStack(async () => fakeModule(() => { throw new Error('Service was stopped'); }, closed));
    expect(await failing.snapshot()).toEqual({ kind: 'unavailable', reason: 'service', message: 'PC/SC service (pcscd): Service was stopped' });
    expect(closed).toEqual(['closed', 'closed']);
  });

  it('watches through the ReaderMonitor: changes call back, an error stops it once and says so; no monitor, no watch', async () => {
    const started: ((event: { type: string; reader?: string }) => void)[] = [];
    let stops = 0;
    const ReaderMonitor = class {
      start(callback: (event: { type: string; reader?: string }) => void) {
        started.push(callback);
      }
      stop() {
        stops++;
      }
    };
    const stack = new SmartcardPcscStack(async () => ({ default: { ...fakeModule(() => [], []).default, ReaderMonitor } }));
    const changes: string[] = [];
    const lost: string[] = [];
    const stop = await stack.watch(() => changes.push('change'), (m) => lost.push(m));
    expect(stop).toBeTypeOf('function');
    started[0]!({ type: 'reader-attached', reader: 'A' });
    started[0]!({ type: 'card-inserted', reader: 'A' });
    started[0]!({ type: 'error', reader: 'Service not available.' });
    started[0]!({ type: 'card-removed', reader: 'A' }); // after the error: ignored
    expect(changes).toEqual(['change', 'change']);
    expect(lost).toEqual(['PC/SC monitor stopped: Service not available.']);
    stop!();
    expect(stops).toBe(1);

    expect(await new SmartcardPcscStack(async () => fakeModule(() => [], [])).watch(() => {}, () => {})).toBeNull();
    expect(await new SmartcardPcscStack(() => Promise.reject(new Error('no lib'))).watch(() => {}, () => {})).toBeNull();
  });

  it('a context that cannot be established is a "service" snapshot', async () => {
    const stack = new SmartcardPcscStack(async () => ({
      default: { SCARD_STATE_PRESENT: PRESENT, SCARD_STATE_MUTE: MUTE, Context: class { constructor() { throw new Error('PC/SC service not running'); } } },
    }));
    expect(await stack.snapshot()).toEqual({ kind: 'unavailable', reason: 'service', message: 'PC/SC service (pcscd): PC/SC service not running' });
  });
});

/** Sets the last byte so that the XOR of T0..TCK is zero, as ISO 7816-3 requires. */
function fixTck(atr: Uint8Array): Uint8Array {
  const out = Uint8Array.from(atr);
  out[out.length - 1] = out.slice(1, -1).reduce((x, b) => x ^ b, 0);
  return out;
}
