import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from 'posdiag-protocol';
import type { Observation } from '../../../src/core/readings.js';
import { PcscCardReaderDriver } from '../../../src/devices/card-reader/pcsc-driver.js';
import { silentLogger } from '../../../src/log/logger.js';
import { until } from '../../helpers/delivery-wait.js';
import { LOCK_WAIT_MS, startVirtualPcsc, VIRTUAL_CARD_ATR, VIRTUAL_READER, type VirtualPcsc } from '../../helpers/vsmartcard.js';

/**
 * The PC/SC driver against a real pcscd with the vsmartcard virtual reader, and the virtual card
 * inserted and removed by starting and stopping vicc. Waits are on real I/O; their bounds only stop a hang.
 */

let pcsc: VirtualPcsc;
const state = mkdtempSync(join(tmpdir(), 'posdiag-pcsc-state-'));
const driver = new PcscCardReaderDriver({ transport: 'pcsc', reader: 'virtual pcd*00 00' }, state, { clock: systemClock, log: silentLogger });
let last: Observation;
const poll = async () => (last = await driver.poll(new AbortController().signal));
const waitFor = (what: string, check: (o: Observation) => boolean) =>
  until(async () => check(await poll()), 15_000, what).catch((err: Error) => {
    throw new Error(`${err.message}; last observation ${JSON.stringify(last)}\n${pcsc.output()}`);
  });

beforeAll(async () => {
  pcsc = await startVirtualPcsc();
}, LOCK_WAIT_MS + 10_000);
afterAll(async () => {
  await driver.close();
  await pcsc?.stop();
});

describe('PC/SC driver against pcscd + vsmartcard', () => {
  it('sees the reader, then the card inserted (ATR length and T=1), then its removal, never more', async () => {
    await waitFor('the virtual reader', (o) => o.readings['card_reader.connected'] === true);
    expect(last).toEqual({
      readings: { 'card_reader.connected': true, 'card_reader.card_present': false, 'card_reader.identity_matches': true },
      identity: { kind: 'cardReader', model: 'Virtual PCD', address: 'pcsc:Virtual PCD' },
      evidence: { 'card_reader.reader': VIRTUAL_READER },
    });

    pcsc.insertCard();
    await waitFor('the virtual card', (o) => o.readings['card_reader.card_present'] === true);
    expect(last.readings).toEqual({
      'card_reader.connected': true,
      'card_reader.card_present': true,
      'card_reader.card_mute': false,
      'card_reader.atr_length': VIRTUAL_CARD_ATR.length,
      'card_reader.protocol': 'T=1',
      'card_reader.identity_matches': true,
    });
    expect(last.problems).toBeUndefined();
    // Only the length of the ATR leaves the driver, not its bytes.
    expect(JSON.stringify(last)).not.toMatch(/3b ?95|73 ?ff/i);

    await pcsc.removeCard();
    await waitFor('the card removal', (o) => o.readings['card_reader.card_present'] === false);
    expect(last.readings).toEqual({ 'card_reader.connected': true, 'card_reader.card_present': false, 'card_reader.identity_matches': true });
  });

  it('when watched, reports a card the moment pcscd sees it come and go, without a poll', async () => {
    const watched = new PcscCardReaderDriver({ transport: 'pcsc', reader: 'virtual pcd*00 00' }, state, { clock: systemClock, log: silentLogger });
    const seen: Observation[] = [];
    watched.watch((o) => seen.push(o));
    const waitSeen = (what: string, check: (o: Observation) => boolean) =>
      until(() => seen.some(check), 15_000, what).catch((err: Error) => {
        throw new Error(`${err.message}; seen ${JSON.stringify(seen)}\n${pcsc.output()}`);
      });
    try {
      // The monitor announces the readers already there when it starts.
      await waitSeen('the watched reader', (o) => o.readings['card_reader.connected'] === true);
      const before = seen.length;
      pcsc.insertCard();
      await waitSeen('the card inserted', (o) => o.readings['card_reader.card_present'] === true);
      expect(seen.slice(before).find((o) => o.readings['card_reader.card_present'])?.readings).toMatchObject({ 'card_reader.protocol': 'T=1' });
      await pcsc.removeCard();
      await until(() => seen.at(-1)?.readings['card_reader.card_present'] === false, 15_000, 'the card removed');
    } finally {
      await watched.close();
    }
    const after = seen.length;
    pcsc.insertCard();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(seen).toHaveLength(after); // closed: nothing more
    await pcsc.removeCard();
  });

  it('reports the reader gone when pcscd stops, as data with the reason', async () => {
    await pcsc.stop();
    const observation = await poll();
    // The enrolled reader's verdict stays: its going away is not a new reader.
    expect(observation.readings).toEqual({ 'card_reader.connected': false, 'card_reader.identity_matches': true });
    expect(observation.problems).toEqual([{ reading: 'card_reader.connected', message: expect.stringMatching(/PC\/SC service \(pcscd\)/) }]);
  });
});
