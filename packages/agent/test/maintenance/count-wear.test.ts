import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Observation } from '../../src/core/readings.js';
import { countWear } from '../../src/maintenance/count-wear.js';
import { LifetimeCounters } from '../../src/maintenance/lifetime-counters.js';
import type { Driver } from '../../src/drivers/contract.js';
import type { SwipeResult } from '../../src/drivers/card-reader/swipe.js';

const dir = mkdtempSync(join(tmpdir(), 'posdiag-wear-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base = { intervalMs: 1000, timeoutMs: 1000, poll: async (): Promise<Observation> => ({ readings: {} }), close: async () => {} };

describe('countWear', () => {
  it('counts swipes per track and receipts the printer took, and stops counting when told', async () => {
    const counters = await LifetimeCounters.open(dir);
    let listener: ((swipe: SwipeResult) => void) | undefined;
    const reader = { ...base, kind: 'cardReader', name: 'cardReader', onSwipe: (l: (s: SwipeResult) => void) => ((listener = l), () => (listener = undefined)) } as Driver;
    let printerOk = true;
    const printer = { ...base, kind: 'printer', name: 'printer', printReceipt: async () => ({ ok: printerOk, observation: { readings: {} } }) } as Driver & {
      printReceipt: (lines: readonly string[], signal: AbortSignal) => Promise<{ ok: boolean }>;
    };
    const stop = countWear([reader, printer], counters);

    listener!({ outcome: 'partial', encodeType: 'iso', tracks: [{ status: 'ok', length: 76 }, { status: 'decode_error', length: 0 }, { status: 'empty', length: 0 }] });
    await printer.printReceipt(['line one', 'line two'], new AbortController().signal);
    printerOk = false;
    await printer.printReceipt(['jammed'], new AbortController().signal);

    const state = counters.snapshot();
    expect(state.cardReader['1']).toMatchObject({ swipes: 1, failures: 0 });
    expect(state.cardReader['2']).toMatchObject({ swipes: 1, failures: 1 });
    expect(state.cardReader['3']).toMatchObject({ swipes: 0 });
    expect(state.printer.cuts).toBe(1);
    expect(state.printer.feedMm).toBeGreaterThan(2 * 4);

    stop();
    expect(listener).toBeUndefined();
    printerOk = true;
    await printer.printReceipt(['after stop'], new AbortController().signal);
    expect(counters.snapshot().printer.cuts).toBe(1);
  });
});
