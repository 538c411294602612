import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../../test/support/fake-clock.js';
import type { Observation } from '../../src/core/readings.js';
import { LifetimeCounters } from '../../src/maintenance/lifetime-counters.js';
import type { DeviceEvent, Driver } from '../../src/drivers/contract.js';
import { Scheduler } from '../../src/drivers/scheduler.js';
import { swipeEvent, type CardReaderWear } from '../../src/devices/card-reader/wear.js';
import { receiptCut, type PrinterWear } from '../../src/devices/printer/wear.js';
import { silentLogger } from '../../src/log/logger.js';
import type { SwipeResult } from '../../src/devices/card-reader/swipe.js';

const dir = mkdtempSync(join(tmpdir(), 'posdiag-wear-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base = { intervalMs: 1000, timeoutMs: 1000, poll: async (): Promise<Observation> => ({ readings: {} }), close: async () => {} };

describe('countWear', () => {
  it('counts swipes per track and receipts the printer took, and stops counting when told', async () => {
    const counters = await LifetimeCounters.open(dir);
    // Drivers as the scheduler sees them: each hands its device events to the one subscriber it was given.
    let listener: ((swipe: SwipeResult) => void) | undefined;
    const reader = {
      ...base,
      kind: 'cardReader',
      name: 'cardReader',
      deviceEvents: (emit: (e: DeviceEvent) => void) => ((listener = (swipe) => emit(swipeEvent(swipe))), () => (listener = undefined)),
    } as Driver;
    let printerOk = true;
    let printed: ((e: DeviceEvent) => void) | undefined;
    const printer = {
      ...base,
      kind: 'printer',
      name: 'printer',
      deviceEvents: (emit: (e: DeviceEvent) => void) => ((printed = emit), () => (printed = undefined)),
      printReceipt: async (lines: readonly string[]) => {
        if (printerOk) printed?.(receiptCut(lines));
        return { ok: printerOk, observation: { readings: {} } };
      },
    } as Driver & { printReceipt: (lines: readonly string[], signal: AbortSignal) => Promise<{ ok: boolean }> };
    const scheduler = new Scheduler({ drivers: [reader, printer], clock: new FakeClock(), log: silentLogger, onObservation: () => {}, onDeviceEvent: (_d, e) => counters.count(e) });
    scheduler.start();
    const stop = () => void scheduler.stop();

    listener!({ outcome: 'partial', encodeType: 'iso', tracks: [{ status: 'ok', length: 76 }, { status: 'decode_error', length: 0 }, { status: 'empty', length: 0 }] });
    await printer.printReceipt(['line one', 'line two'], new AbortController().signal);
    printerOk = false;
    await printer.printReceipt(['jammed'], new AbortController().signal);

    const state = counters.snapshot() as PrinterWear & CardReaderWear;
    expect(state.cardReader['1']).toMatchObject({ swipes: 1, failures: 0 });
    expect(state.cardReader['2']).toMatchObject({ swipes: 1, failures: 1 });
    expect(state.cardReader['3']).toMatchObject({ swipes: 0 });
    expect(state.printer.cuts).toBe(1);
    expect(state.printer.feedMm).toBeGreaterThan(2 * 4);

    stop();
    expect(listener).toBeUndefined();
    printerOk = true;
    await printer.printReceipt(['after stop'], new AbortController().signal);
    expect((counters.snapshot() as PrinterWear).printer.cuts).toBe(1);
  });
});
